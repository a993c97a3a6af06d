/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: page.h - the self-contained status page served at GET /
 */
#ifndef UPLINKD_WEB_PAGE_H
#define UPLINKD_WEB_PAGE_H

#include <stddef.h>

extern const char web_page_html[];
extern const size_t web_page_html_len;

#endif
