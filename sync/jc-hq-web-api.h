/* jc-hq-web-api.h — the dashboard's data: plan, findings, rejections, charts
 *
 *   GET /api/plan                  analyst   the newest plan: seed, counts, assignments
 *   GET /api/findings              analyst   ?institution=CODE&status=STATUS
 *   GET /api/findings/ID           analyst   one finding, its evidence, its checks
 *   GET /api/stats/counties        analyst   findings and amounts per county
 *   GET /api/rejections            reviewer  everything HQ refused, with the reason
 *   GET /api/users                 admin     the staff accounts
 *   POST /api/users                admin     {name, role, password}
 *   POST /api/users/disable        admin     {name}
 *   GET /api/audit                 admin     the newest 200 rows of the audit
 *   GET /api/ledger                analyst   ?county=&status=&overdue=1&limit=&offset=
 *   GET /api/ledger/ID             analyst   one entry with its signed history
 *   POST /api/ledger/ID            reviewer  {status, note, recovered (yuan), deadline,
 *                                            evidence [SHA-256…]}, by the signed-in user
 *   GET /api/objections            analyst   ?status=open|upheld|rejected|partial|superseded
 *   POST /api/objections/ID/decision reviewer {decision, reason, amount (yuan, partial)}
 *   GET /api/reports               analyst   ?by=county|type|item|form
 *   GET /api/reports/export        analyst   ?by=…&format=csv|xlsx|pdf: the report as a file
 *   GET /api/ledger/export         analyst   ?county=&status=&overdue=1: the filtered ledger as CSV
 */
#pragma once

#include "jc-hq-web.h"

G_BEGIN_DECLS

void jc_hq_web_api_register   (JcHqWeb *web);
void jc_hq_web_admin_register (JcHqWeb *web);
/* jc-hq-web-ledger.c */
void jc_hq_web_ledger_register (JcHqWeb *web);

G_END_DECLS
