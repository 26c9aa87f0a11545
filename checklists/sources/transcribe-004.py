#!/usr/bin/env python3
# transcribe-004.py — how checklists/*.json were made from seed 004.
#
# Run from anywhere: python3 checklists/sources/transcribe-004.py
# It rewrites the five JSON files from 004_71cb4d8314c7b460.txt (a byte-exact
# copy of the seed) and asserts the cell layout it relies on, so a change to
# the split rules is visible in review. The JSON files are the data of record;
# tests/test-checklist.c checks them against the seed independently.
import json, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, '004_71cb4d8314c7b460.txt')
OUT = os.path.join(HERE, '..') + os.sep
lines = open(SEED, encoding='utf-8').read().split('\n')
def L(n): return lines[n-1]
def strip(s): return re.sub(r'<[^>]*>', '', s)
def cells(n): return strip(L(n)).split('\t')

def split_items(cell, first):
    """Split a cell '1. a 2. b' into [(1,'a'),(2,'b')], numbering from first."""
    out = []
    k = first
    m = re.match(r'\s*%d\. ' % k, cell)
    assert m, (cell[:30], k)
    pos = m.end()
    while True:
        nxt = re.search(r'\s+%d\. ' % (k+1), cell[pos:])
        if not nxt:
            out.append((k, cell[pos:].rstrip()))
            return out
        out.append((k, cell[pos:pos+nxt.start()]))
        pos = pos + nxt.end()
        k += 1

RECORD = ["status", "note", "amount", "cases", "evidence"]
SRC = '吕梁市医疗保障局《关于进一步加强医疗保障基金监管工作的实施方案》（吕医保发〔2021〕36号，2021年4月8日印发）'

def item(prefix_code, num, text):
    assert text and text == text.strip(), text
    return {"code": "%s.%d" % (prefix_code, num), "number": num, "text": text,
            "note": "", "record": RECORD}

def onsite(prefix, spec):
    sections = []
    for snum, (cat, numbering, groups) in enumerate(spec, 1):
        scode = '%s.%d' % (prefix, snum)
        gs = []
        nextnum = 1
        for gnum, (beh, cellrefs) in enumerate(groups, 1):
            if numbering == 'per_group':
                nextnum = 1
            items = []
            for ln, col in cellrefs:
                c = cells(ln)[col]
                got = split_items(c, nextnum)
                nextnum = got[-1][0] + 1
                base = scode if numbering == 'continuous' else '%s.%d' % (scode, gnum)
                items += [item(base, n, t) for n, t in got]
            gs.append({"number": gnum, "behaviour": beh, "items": items})
        sections.append({"code": scode, "number": snum, "category": cat,
                         "numbering": numbering, "groups": gs})
    return sections

def selfl(prefix, heading, linenos):
    items = []
    for ln in linenos:
        num, text = L(ln).split('\t')
        items.append(item(prefix + '.1', int(num), text))
    assert [i["number"] for i in items] == list(range(1, len(items)+1))
    return [{"code": prefix + '.1', "number": 1, "category": heading, "numbering": "continuous",
             "groups": [{"number": 1, "behaviour": "", "items": items}]}]

def count(sections):
    return sum(len(g["items"]) for s in sections for g in s["groups"])

def write(doc):
    path = OUT + doc["id"] + '.json'
    with open(path, 'w', encoding='utf-8') as f:
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        # One line per record list keeps the files readable.
        text = re.sub(r'"record": \[\s*([^\]]*?)\s*\]',
                      lambda m: '"record": [' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', text)
        assert json.loads(text) == doc
        f.write(text + '\n')
    print(doc["id"], count(doc["sections"]))

# --- hospital ---
h = onsite('h21', [
    ('欺诈骗保问题', 'continuous', [
        (cells(155)[1], [(155, 2)]),
        (cells(156)[1], [(156, 2)]),
        (cells(157)[1], [(157, 2)]),
        (cells(158)[1], [(158, 2)]),
    ]),
    ('一般违规问题', 'per_group', [
        (cells(159)[1], [(159, 2)]),
        (cells(160)[1], [(160, 2)]),
        (cells(161)[1], [(161, 2), (162, 2), (164, 2)]),
        (cells(165)[0], [(165, 1)]),
    ]),
])
assert cells(155)[0] == '欺诈骗保问题' and cells(159)[0] == '一般违规问题' and cells(164)[0] == '一般违规问题'
assert cells(164)[1] == '违规诊疗' and cells(162)[1] == ''
p = onsite('p21', [
    ('欺诈骗保问题', 'continuous', [
        (cells(170)[1], [(170, 2)]),
        (cells(171)[1], [(171, 2)]),
        (cells(172)[1], [(172, 2)]),
        (cells(173)[1], [(173, 2)]),
        (cells(174)[1], [(174, 2)]),
    ]),
    ('一般违规问题', 'per_group', [
        (cells(177)[1].replace(' ', ''), [(175, 2), (176, 2), (177, 2), (178, 2), (179, 2)]),
        (cells(181)[1], [(181, 2)]),
        (cells(182)[0], [(182, 1)]),
    ]),
])
assert cells(177)[1] == '医保内部管理 制度不健全， 管理不规范'
assert all(cells(n)[1] == '' for n in (175, 176, 178, 179))

NOTE_COMMON = [
    '条目文字与来源逐字一致：具体内容中的全角、半角标点和空格均按来源原样保留，未作统一。',
    '删去了HTML标记（<p>、</p>）和条目开头的序号“N. ”（序号保存在 number 字段）。',
    '来源同一单元格内的多个编号条目（{split_ex}）拆分为各自独立的条目；拆分处条目之间的空白删去，条目自身文字（含末尾标点，以及来源中缺少的末尾标点）不变。',
    '“备注”列在来源中均为空，note 为空字符串。',
    '编码：“欺诈骗保问题”的序号在来源中跨违规行为连续编号，条目编码为“前缀.分类.序号”（如 {ex1}）；“一般违规问题”的序号在来源中每个违规行为重新从1开始，条目编码为“前缀.分类.组.序号”（如 {ex2}），组号为该违规行为在分类中的次序。',
    '末行“其他”在来源中没有“分类”单元格（HTML 表格里上一行的“一般违规问题”跨行），按“一般违规问题”下的违规行为“其他”处理。',
]

hdoc = {
    "id": "hospital-2021", "version": 1,
    "title": "2021年定点医疗机构现场检查清单",
    "applies_to": ["hospital"],
    "source": SRC + '附件2《2021年定点医疗机构现场检查清单》',
    "source_note": [n.replace('{ex1}', 'h21.1.3').replace('{ex2}', 'h21.2.3.8').replace('{split_ex}', '如“医保内部管理制度不健全, 管理规范”一格中的“1. 未建立…… 2. 没有专门机构……; 3. ……”') for n in NOTE_COMMON] + [
        '“违规诊疗”在来源中因分页分成两段（第1–2条为纯文本行，第3–9条为重复了“一般违规问题 / 违规诊疗”的HTML片段），合并为一组共9条。',
        '违规行为“医保内部管理制度不健全, 管理规范”按来源原文保留（零售药店清单中同一行为作“管理不规范”）。',
        '“违规诊疗”第8条中的“卫键部门”按来源原文保留（疑为“卫健部门”），未作更正。',
        '条目数：欺诈骗保问题4条，一般违规问题24条（5+5+9+5），共28条。',
    ],
    "code_prefix": "h21",
    "sections": h,
}
pdoc = {
    "id": "pharmacy-2021", "version": 1,
    "title": "2021年定点零售药店现场检查清单",
    "applies_to": ["pharmacy"],
    "source": SRC + '附件3《2021年定点零售药店现场检查清单》',
    "source_note": [n.replace('{ex1}', 'p21.1.3').replace('{ex2}', 'p21.2.2.3').replace('{split_ex}', '如“违规结算”一格中的“<p>1. 未核验医保凭证；</p> <p>2. ……</p>”') for n in NOTE_COMMON] + [
        '违规行为“医保内部管理 制度不健全， 管理不规范”在来源中是跨5行的合并单元格，其中两处空格是单元格内换行留下的排版空白，已删去，作“医保内部管理制度不健全，管理不规范”；文字和标点不变。',
        '“一般违规问题”在来源中分为两段（“医保内部管理……”5条为纯文本行；“违规结算”“其他”为重复了“一般违规问题”的HTML片段），合并为一个分类。',
        '条目数：欺诈骗保问题5条，一般违规问题14条（5+4+5），共19条。',
    ],
    "code_prefix": "p21",
    "sections": p,
}

SELF_NOTE = [
    '来源“自查自纠对照清单”是一张表的三部分，小标题分别为“医 保 行 政 部 门”“医 保 经 办 机 构”“定点医药机构”；每部分单独成为一份清单，标题作“自查自纠对照清单（小标题）”，分类名取小标题并删去字间空格。',
    '该表没有“违规行为”列：每份清单只有一个分类、一个组，组的 behaviour 为空字符串；条目编码为“前缀.1.序号”（如 {ex}）。',
    '条目文字与来源逐字一致（全角标点原样保留），只去掉了序号列。',
]
def self_note(ex, extra):
    return [n.replace('{ex}', ex) for n in SELF_NOTE] + extra
sa = {
    "id": "self-admin-2021", "version": 1,
    "title": "自查自纠对照清单（医保行政部门）",
    "applies_to": ["administration"],
    "source": SRC + '附件1《自查自纠清单》“医保行政部门”部分',
    "source_note": self_note('sa21.1.12', ['条目数：12条。']),
    "code_prefix": "sa21",
    "sections": selfl('sa21', '医保行政部门', range(102, 114)),
}
sg = {
    "id": "self-agency-2021", "version": 1,
    "title": "自查自纠对照清单（医保经办机构）",
    "applies_to": ["agency"],
    "source": SRC + '附件1《自查自纠清单》“医保经办机构”部分',
    "source_note": self_note('sg21.1.12', ['条目数：12条。']),
    "code_prefix": "sg21",
    "sections": selfl('sg21', '医保经办机构', range(116, 128)),
}
si = {
    "id": "self-institution-2021", "version": 1,
    "title": "自查自纠对照清单（定点医药机构）",
    "applies_to": ["hospital", "pharmacy"],
    "source": SRC + '附件1《自查自纠清单》“定点医药机构”部分',
    "source_note": self_note('si21.1.19', [
        '“定点医药机构”部分在来源中因分页分成两段（第1–14条、第15–19条），第二段重复了小标题“定点医药机构”；两段合并为一份清单，序号连续。',
        '第17条中的“医疗服务实施标准”按来源原文保留（疑为“医疗服务设施标准”），未作更正。',
        '条目数：19条。']),
    "code_prefix": "si21",
    "sections": selfl('si21', '定点医药机构', list(range(130, 144)) + list(range(146, 151))),
}
assert L(101) == '医 保 行 政 部 门\t' and L(115) == '医 保 经 办 机 构\t' and L(129) == L(145) == '定点医药机构\t'
for d in (sa, sg, si, hdoc, pdoc):
    write(d)
