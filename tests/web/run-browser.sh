#!/usr/bin/env bash
# run-browser.sh — the HQ dashboard in Debian's Chromium, driven by
# puppeteer-core: a real jiancha-hq on 127.0.0.1 with a plan and findings
# synced from a real device; screenshots in $BUILD/screenshots/web-*.png.
# Exit 77 (meson: skipped) when chromium, node or puppeteer-core is missing.
set -euo pipefail

src=${JIANCHA_SOURCE_DIR:?}
build=${JIANCHA_BUILD_DIR:?}
here="$src/tests/web"
hq="$build/sync/jiancha-hq"
cli="$build/src/cli/jiancha-cli"
chromium=${JIANCHA_CHROMIUM:-$(command -v chromium || true)}

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -n "$chromium" ] && [ -x "$chromium" ] || skip "no chromium (apt-get install chromium; see build-aux/debian-packages.txt)"
command -v node >/dev/null || skip "no node (apt-get install nodejs)"

# puppeteer-core, as pinned in package-lock.json, outside the source tree.
modules="$build/tests/web-node"
if [ ! -f "$modules/node_modules/puppeteer-core/package.json" ] ||
   ! cmp -s "$here/package-lock.json" "$modules/package-lock.json"; then
  command -v npm >/dev/null || skip "no npm to install puppeteer-core (apt-get install npm)"
  mkdir -p "$modules"
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  # --ignore-scripts: nothing downloads a browser; Debian's is the one used.
  (cd "$modules" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) ||
    skip "npm ci could not install puppeteer-core from the npm registry"
fi

work=$(mktemp -d "$build/tmp/web-browser.XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export JIANCHA_TEST_FAST_KDF=1 JIANCHA_PIN=583921 JIANCHA_NEW_PIN=583921 JIANCHA_HQ_PASSWORD=correct-horse-9
export LANG=C.UTF-8
dir="$work/hq"
db=()
# under tests/with-postgresql: HQ on a PostgreSQL database of its own
if [ -n "${JIANCHA_TEST_PG_HOST:-}" ]; then
  name="jc_browser_$$"
  psql=/usr/lib/postgresql/15/bin/psql
  [ -x "$psql" ] || psql=psql
  "$psql" -q -h "$JIANCHA_TEST_PG_HOST" -U postgres -d postgres \
    -c "CREATE DATABASE $name TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
  db=(--db "postgresql:///$name?host=$JIANCHA_TEST_PG_HOST&user=postgres")
fi
"$hq" --dir "$dir" init "${db[@]}" >/dev/null
printf 'code,name,type,level,county,fund_payment\nP14110200017,康宁大药房,pharmacy,,小店区,120000.50\nP14110200023,百草堂药店,pharmacy,,小店区,80000\nH14010500001,迎泽区人民医院,hospital,2,迎泽区,9800000\n' > "$work/名录.csv"
printf 'name,county,role\n张伟,迎泽区,enforcement\n李娜,迎泽区,enforcement\n王强,小店区,enforcement\n赵敏,小店区,enforcement\n' > "$work/人员.csv"
"$hq" --dir "$dir" directory import "$work/名录.csv" >/dev/null
"$hq" --dir "$dir" roster import "$work/人员.csv" >/dev/null
"$hq" --dir "$dir" plan draw --seed 20211001 >/dev/null
"$hq" --dir "$dir" user add 王主任 --role admin >/dev/null
"$hq" --dir "$dir" user add 李审核 --role reviewer >/dev/null
"$hq" --dir "$dir" user add 张分析 --role analyst >/dev/null

# HQ's staff read Chinese: the server's own messages too.
LANGUAGE=zh_CN JIANCHA_LOCALEDIR="$build/po" "$hq" --dir "$dir" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on port' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/serve.out")
[ -n "$port" ] || { cat "$work/serve.log" >&2; echo "jiancha-hq did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

# One device, two inspections: a confirmed finding at a pharmacy, a
# disputed one at a hospital.
code=$("$hq" --dir "$dir" enroll-code --inspector 张伟 | tail -n 1)
vault="$work/device"
"$cli" --vault "$vault" vault init --inspector 张伟 >/dev/null
"$cli" --vault "$vault" enroll --hq "$url" --code "$code" >/dev/null
printf '\xff\xd8\xff\xe0 receipt' > "$work/receipt.jpg"
p=$("$cli" --vault "$vault" inspection new --institution P14110200017 --name 康宁大药房 --type pharmacy \
      --form cross --team 张伟,李娜 | tail -n 1)
"$cli" --vault "$vault" item set "$p" p21.1.1 --status violation --amount 1234.50 --note 医保卡结算日用品 \
      --evidence "$work/receipt.jpg" >/dev/null
"$cli" --vault "$vault" item set "$p" p21.1.3 --status violation --amount 10 --note 串换药品 >/dev/null
"$cli" --vault "$vault" finding seal "$p" --confirm-name 王芳 >/dev/null
h=$("$cli" --vault "$vault" inspection new --institution H14010500001 --name 迎泽区人民医院 --type hospital \
      --level 2 --form cross --team 王强,赵敏 | tail -n 1)
"$cli" --vault "$vault" item set "$h" h21.1.3 --status violation --amount 56000 --note 虚记检查项目收费 >/dev/null
"$cli" --vault "$vault" finding seal "$h" --dispute-name 刘院长 --reason 收费有医嘱依据 >/dev/null
"$cli" --vault "$vault" sync >/dev/null

mkdir -p "$build/screenshots"
NODE_PATH="$modules/node_modules" node "$here/browser.js" "$url" "$chromium" "$build/screenshots" "$work/profile"
