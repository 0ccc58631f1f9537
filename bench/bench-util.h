/* bench-util.h: what the benchmark programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each program prints its figures on stdout as lines
 *
 *   RESULT {"figure": ..., "value": ..., "unit": ..., "baseline": ...,
 *           "ratio": ..., "target": ..., "met": ..., "detail": ...}
 *
 * which bench/run collects; every other line is progress. A baseline is
 * measured in the same run as the value, so that the ratio holds on a
 * loaded machine.
 */

#pragma once

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

static inline double
bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
bench_cmp_double (const void *a,
                  const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n times; sorts @v. */
static inline double
bench_median (double *v,
              guint   n)
{
  qsort (v, n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The nearest-rank @p-th percentile of @n values: the smallest with at
 * least @p % of them at or below it. Sorts @v. */
static inline double
bench_percentile (double *v,
                  guint   n,
                  double  p)
{
  guint rank = (guint) ceil (n * p / 100);

  qsort (v, n, sizeof *v, bench_cmp_double);
  return v[CLAMP (rank, 1, n) - 1];
}

static inline void
bench_json_string (GString    *out,
                   const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else if ((guchar) *s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

static inline void
bench_json_number (GString *out,
                   double   x)
{
  if (isnan (x))
    g_string_append (out, "null");
  else
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", x));
    }
}

/* @baseline NAN for none; @target NULL for none, else "<= X" or ">= X",
 * compared with the value if @target_on_value, with the ratio otherwise. */
static inline void
bench_result (const char *figure,
              double      value,
              const char *unit,
              double      baseline,
              const char *target,
              gboolean    target_on_value,
              const char *detail)
{
  GString *out = g_string_new ("RESULT {\"figure\": ");
  double ratio = isnan (baseline) || baseline == 0 ? NAN : value / baseline;

  bench_json_string (out, figure);
  g_string_append (out, ", \"value\": ");
  bench_json_number (out, value);
  g_string_append (out, ", \"unit\": ");
  bench_json_string (out, unit);
  g_string_append (out, ", \"baseline\": ");
  bench_json_number (out, baseline);
  g_string_append (out, ", \"ratio\": ");
  bench_json_number (out, ratio);
  g_string_append (out, ", \"target\": ");
  if (target == NULL)
    g_string_append (out, "null, \"met\": null");
  else
    {
      double limit = g_ascii_strtod (target + 2, NULL);
      double x = target_on_value ? value : ratio;
      gboolean met = !isnan (x) && (target[0] == '<' ? x <= limit : x >= limit);

      bench_json_string (out, target);
      g_string_append_printf (out, ", \"met\": %s", met ? "true" : "false");
    }
  g_string_append (out, ", \"detail\": ");
  bench_json_string (out, detail != NULL ? detail : "");
  g_string_append (out, "}\n");

  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}
