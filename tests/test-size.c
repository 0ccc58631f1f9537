/* test-size.c: sizes and libvirt's units
 *
 * Covers vmem_size_scale() with every unit libvirt's virScaleInteger()
 * accepts (in any letter case), vmem_size_parse() with valid, malformed
 * and overflowing input, the exact limits of 64 bits, and
 * vmem_size_format() with its round trip through vmem_size_parse().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <vmem.h>

#define KI ((guint64) 1 << 10)
#define MI ((guint64) 1 << 20)
#define GI ((guint64) 1 << 30)
#define TI ((guint64) 1 << 40)
#define PI ((guint64) 1 << 50)
#define EI ((guint64) 1 << 60)

#define K10 G_GUINT64_CONSTANT (1000)
#define M10 (K10 * K10)
#define G10 (M10 * K10)
#define T10 (G10 * K10)
#define P10 (T10 * K10)
#define E10 (P10 * K10)

typedef struct
{
  const char *unit;
  guint64     scale;
} UnitCase;

/* Every suffix virScaleInteger() knows, as libvirt's documentation
 * spells them. */
static const UnitCase units[] = {
  { "b", 1 },
  { "byte", 1 },
  { "bytes", 1 },
  { "KB", K10 },
  { "k", KI },
  { "K", KI },
  { "KiB", KI },
  { "MB", M10 },
  { "M", MI },
  { "MiB", MI },
  { "GB", G10 },
  { "G", GI },
  { "GiB", GI },
  { "TB", T10 },
  { "T", TI },
  { "TiB", TI },
  { "PB", P10 },
  { "P", PI },
  { "PiB", PI },
  { "EB", E10 },
  { "E", EI },
  { "EiB", EI },
};

/* The same suffixes in other letter cases: the comparison is
 * case-insensitive, as in libvirt. */
static const UnitCase units_other_case[] = {
  { "B", 1 },
  { "BYTE", 1 },
  { "Bytes", 1 },
  { "kb", K10 },
  { "Kb", K10 },
  { "kib", KI },
  { "KIB", KI },
  { "mb", M10 },
  { "m", MI },
  { "mib", MI },
  { "MIB", MI },
  { "gb", G10 },
  { "g", GI },
  { "GIB", GI },
  { "gib", GI },
  { "tb", T10 },
  { "t", TI },
  { "tIb", TI },
  { "pb", P10 },
  { "p", PI },
  { "pib", PI },
  { "eb", E10 },
  { "e", EI },
  { "EIB", EI },
};

static void
check_scale_table (const UnitCase *table,
                   gsize           n)
{
  for (gsize i = 0; i < n; i++)
    {
      static const guint64 values[] = { 0, 1, 3, 7, 15 };

      for (gsize j = 0; j < G_N_ELEMENTS (values); j++)
        {
          g_autoptr(GError) error = NULL;
          guint64 bytes = G_MAXUINT64;

          g_test_message ("%" G_GUINT64_FORMAT " %s", values[j], table[i].unit);
          g_assert_true (vmem_size_scale (values[j], table[i].unit, &bytes, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (bytes, ==, values[j] * table[i].scale);
        }
    }
}

static void
test_scale_units (void)
{
  check_scale_table (units, G_N_ELEMENTS (units));
}

static void
test_scale_units_case (void)
{
  check_scale_table (units_other_case, G_N_ELEMENTS (units_other_case));
}

static void
test_scale_no_unit (void)
{
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  g_assert_true (vmem_size_scale (1234, NULL, &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, ==, 1234);

  bytes = 0;
  g_assert_true (vmem_size_scale (4321, "", &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, ==, 4321);

  bytes = 0;
  g_assert_true (vmem_size_scale (G_MAXUINT64, NULL, &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bytes, ==, G_MAXUINT64);
}

static void
test_scale_unknown_unit (void)
{
  static const char *bad[] = {
    "XB", "KiBB", "kbit", "bit", "Ki", "iB", "KIBS", "Z", "ZiB", "YB",
    "k b", " k", "k ", "1", "-", "KiB\t",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("unit '%s'", bad[i]);
      g_assert_false (vmem_size_scale (1, bad[i], &bytes, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE);
    }
}

static void
test_scale_overflow (void)
{
  static const struct {
    guint64     value;
    const char *unit;
  } over[] = {
    { 16, "EiB" },
    { 16, "E" },
    { 19, "EB" },
    { 16384, "PiB" },
    { G_GUINT64_CONSTANT (17179869184), "GiB" },
    { G_GUINT64_CONSTANT (18014398509481984), "KiB" },
    { G_MAXUINT64, "k" },
    { G_MAXUINT64 / 1000 + 1, "KB" },
  };
  static const struct {
    guint64     value;
    const char *unit;
    guint64     bytes;
  } limit[] = {
    { 15, "EiB", 15 * EI },
    { 18, "EB", 18 * E10 },
    { 16383, "PiB", 16383 * PI },
    { G_GUINT64_CONSTANT (17179869183), "GiB", G_GUINT64_CONSTANT (17179869183) * GI },
    { G_MAXUINT64 / 1024, "KiB", (G_MAXUINT64 / 1024) * 1024 },
    { G_MAXUINT64 / 1000, "KB", (G_MAXUINT64 / 1000) * 1000 },
    { G_MAXUINT64, "b", G_MAXUINT64 },
    { G_MAXUINT64, "bytes", G_MAXUINT64 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (over); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("%" G_GUINT64_FORMAT " %s", over[i].value, over[i].unit);
      g_assert_false (vmem_size_scale (over[i].value, over[i].unit, &bytes, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_OVERFLOW);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (limit); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("%" G_GUINT64_FORMAT " %s", limit[i].value, limit[i].unit);
      g_assert_true (vmem_size_scale (limit[i].value, limit[i].unit, &bytes, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bytes, ==, limit[i].bytes);
    }
}

typedef struct
{
  const char *text;
  guint64     bytes;
} ParseCase;

static void
test_parse_valid (void)
{
  static const ParseCase cases[] = {
    { "2GiB", 2 * GI },
    { "512 MiB", 512 * MI },
    { "512MiB", 512 * MI },
    { "512   MiB", 512 * MI },
    { "1024", 1024 },
    { "0", 0 },
    { "0B", 0 },
    { "0 EiB", 0 },
    { "1b", 1 },
    { "7 bytes", 7 },
    { "1k", KI },
    { "1 KB", K10 },
    { "3kib", 3 * KI },
    { "5 GIB", 5 * GI },
    { "2mb", 2 * M10 },
    { "2048 KiB", 2 * MI },
    { "1T", TI },
    { "1 PB", P10 },
    { "15EiB", 15 * EI },
    { "15 E", 15 * EI },
    { "18EB", 18 * E10 },
    { "18446744073709551615", G_MAXUINT64 },
    { "18446744073709551615b", G_MAXUINT64 },
    { "18446744073709551615 bytes", G_MAXUINT64 },
    { "17179869183GiB", G_GUINT64_CONSTANT (17179869183) * GI },
    { "18014398509481983KiB", G_GUINT64_CONSTANT (18014398509481983) * KI },
    { "007MiB", 7 * MI },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("'%s'", cases[i].text);
      g_assert_true (vmem_size_parse (cases[i].text, &bytes, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bytes, ==, cases[i].bytes);
    }
}

static void
test_parse_invalid (void)
{
  static const char *bad[] = {
    "12XB", "-1", "-0", "", "abc", "1.5G", "1,5G", " 5", "\t5", "GiB",
    "0x10", "1e3", "5 5", "5KiB5", "five", "KiB 5", " ", "- 1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("'%s'", bad[i]);
      g_assert_false (vmem_size_parse (bad[i], &bytes, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE);
    }
}

static void
test_parse_overflow (void)
{
  static const char *over[] = {
    "16EiB",
    "16 E",
    "19EB",
    "18446744073709551616",
    "18446744073709551616b",
    "99999999999999999999999999",
    "17179869184GiB",
    "18014398509481984KiB",
    "16384PiB",
    "18446744073709551615KiB",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (over); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_test_message ("'%s'", over[i]);
      g_assert_false (vmem_size_parse (over[i], &bytes, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_OVERFLOW);
    }
}

static void
test_format_exact (void)
{
  static const ParseCase cases[] = {
    { "2GiB", 2 * GI },
    { "1536MiB", 1536 * MI },
    { "1KiB", KI },
    { "1000B", 1000 },
    { "0B", 0 },
    { "1B", 1 },
    { "1023B", 1023 },
    { "1025B", 1025 },
    { "4KiB", 4 * KI },
    { "1MiB", MI },
    { "2047KiB", 2047 * KI },
    { "3TiB", 3 * TI },
    { "5PiB", 5 * PI },
    { "1EiB", EI },
    { "15EiB", 15 * EI },
    { "18446744073709551615B", G_MAXUINT64 },
    { "16383PiB", 16383 * PI },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = vmem_size_format (cases[i].bytes);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Splits "<digits><unit>" as vmem_size_format() writes it. */
static void
split_formatted (const char  *text,
                 guint64     *number,
                 const char **unit)
{
  const char *p = text;
  guint64 n = 0;

  g_assert_true (g_ascii_isdigit (*p));
  while (g_ascii_isdigit (*p))
    {
      g_assert_cmpuint (n, <=, (G_MAXUINT64 - (guint64) (*p - '0')) / 10);
      n = n * 10 + (guint64) (*p - '0');
      p++;
    }

  *number = n;
  *unit = p;
}

static void
check_round_trip (guint64 value)
{
  static const char *iec[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = vmem_size_format (value);
  guint64 parsed = ~value;
  guint64 number = 0;
  const char *unit = NULL;
  guint exp_index = 0;
  guint64 expected_number = value;

  g_assert_nonnull (text);
  g_assert_true (vmem_size_parse (text, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed, ==, value);

  /* The unit is the largest IEC unit that divides the value exactly. */
  if (value != 0)
    while (exp_index < G_N_ELEMENTS (iec) - 1 && expected_number % 1024 == 0)
      {
        expected_number /= 1024;
        exp_index++;
      }

  split_formatted (text, &number, &unit);
  g_assert_cmpstr (unit, ==, iec[exp_index]);
  g_assert_cmpuint (number, ==, expected_number);
}

static void
test_format_round_trip (void)
{
  guint count = 0;

  check_round_trip (0);
  check_round_trip (G_MAXUINT64);
  check_round_trip (G_MAXUINT64 - 1);
  count += 3;

  for (guint shift = 0; shift < 64; shift++)
    {
      guint64 p = (guint64) 1 << shift;

      check_round_trip (p);
      check_round_trip (p - 1);
      check_round_trip (p + 1);
      check_round_trip (G_MAXUINT64 - p + 1);
      count += 4;
      if (shift < 62)
        {
          check_round_trip (p * 3);
          count++;
        }
    }

  for (guint64 v = 1; v < 5000; v++)
    {
      check_round_trip (v);
      check_round_trip (v * KI);
      check_round_trip (v * MI);
      check_round_trip (v * 1000);
      count += 4;
    }

  for (guint i = 0; i < 20000; i++)
    {
      guint64 v = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
      guint shift = (guint) g_test_rand_int_range (0, 64);

      check_round_trip (v);
      check_round_trip ((v >> shift) << shift);
      count += 2;
    }

  g_test_message ("%u values round-tripped", count);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/size/scale/units", test_scale_units);
  g_test_add_func ("/size/scale/units-case", test_scale_units_case);
  g_test_add_func ("/size/scale/no-unit", test_scale_no_unit);
  g_test_add_func ("/size/scale/unknown-unit", test_scale_unknown_unit);
  g_test_add_func ("/size/scale/overflow", test_scale_overflow);
  g_test_add_func ("/size/parse/valid", test_parse_valid);
  g_test_add_func ("/size/parse/invalid", test_parse_invalid);
  g_test_add_func ("/size/parse/overflow", test_parse_overflow);
  g_test_add_func ("/size/format/exact", test_format_exact);
  g_test_add_func ("/size/format/round-trip", test_format_round_trip);

  return g_test_run ();
}
