/* Relatórios: /staff/reports and its CSV exports (web/reports.c). */
#ifndef CHAMADO_WEB_REPORTS_H
#define CHAMADO_WEB_REPORTS_H

#include "http/router.h"

int web_routes_reports(router *r);

#endif
