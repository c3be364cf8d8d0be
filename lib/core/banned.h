/* SPDX-License-Identifier: Apache-2.0 */
/*
 * banned.h: functions billrun code must not call.  Included last by every
 * .c file in lib/, cmd/ and tests/.  Unsafe string functions, locale- and
 * TZ-dependent time conversion, and float-prone parsing are replaced by
 * br_* helpers (see date.h, tz.h, money.h).
 */
#ifndef BR_BANNED_H
#define BR_BANNED_H

#define BR_BANNED(func) sorry_##func##_is_banned_in_billrun

#undef strcpy
#define strcpy(x, y) BR_BANNED(strcpy)
#undef strcat
#define strcat(x, y) BR_BANNED(strcat)
#undef sprintf
#define sprintf(...) BR_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BR_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BR_BANNED(strtok)
#undef atoi
#define atoi(x) BR_BANNED(atoi)
#undef atol
#define atol(x) BR_BANNED(atol)
#undef gmtime
#define gmtime(x) BR_BANNED(gmtime)
#undef localtime
#define localtime(x) BR_BANNED(localtime)
#undef mktime
#define mktime(x) BR_BANNED(mktime)

#endif
