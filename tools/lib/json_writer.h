/* SPDX-License-Identifier: GPL-2.0 */
/* tools/lib/json_writer.h - a small streaming JSON writer. */
#ifndef _MAPWATCHCTL_JSON_WRITER_H
#define _MAPWATCHCTL_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

json_writer_t *jsonw_new(FILE *f);
void jsonw_destroy(json_writer_t **w);	/* asserts every object and array is closed */
void jsonw_pretty(json_writer_t *w, bool on);
void jsonw_start_object(json_writer_t *w);
void jsonw_end_object(json_writer_t *w);
void jsonw_start_array(json_writer_t *w);
void jsonw_end_array(json_writer_t *w);
void jsonw_name(json_writer_t *w, const char *name);
void jsonw_string(json_writer_t *w, const char *s);
void jsonw_uint(json_writer_t *w, uint64_t v);
void jsonw_int(json_writer_t *w, int64_t v);
void jsonw_bool(json_writer_t *w, bool v);
void jsonw_null(json_writer_t *w);
void jsonw_string_field(json_writer_t *w, const char *name, const char *s);
void jsonw_uint_field(json_writer_t *w, const char *name, uint64_t v);
void jsonw_int_field(json_writer_t *w, const char *name, int64_t v);
void jsonw_bool_field(json_writer_t *w, const char *name, bool v);
/* @v / 1000 with its three decimals, exactly: 1234567 -> 1234.567 */
void jsonw_milli(json_writer_t *w, uint64_t v);
void jsonw_milli_field(json_writer_t *w, const char *name, uint64_t v);
/* @v (not negative) rounded to three decimals: 0.59012 -> 0.590 */
void jsonw_fixed3_field(json_writer_t *w, const char *name, double v);

#endif
