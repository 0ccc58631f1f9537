/* fuzz-size-parse.c: libFuzzer harness for vmem_size_parse()
 *
 * The input is a size as a user or an XML attribute writes it ("2GiB",
 * "512 MiB", "1073741824"). Checked:
 *
 * - no crash, undefined behaviour (the scaling must never wrap), GLib
 *   critical or warning, for any bytes;
 * - a refusal comes with VMEM_ERROR_INVALID_SIZE or VMEM_ERROR_OVERFLOW,
 *   as documented;
 * - what vmem_size_format() writes, vmem_size_parse() reads back to the
 *   same number, as vmem_size_format() promises: for the size parsed, and
 *   for the first eight bytes of the input taken as any 64-bit number;
 * - vmem_size_scale() of the parsed number and unit agrees with
 *   vmem_size_parse().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz-common.h"

/* format(bytes) parses back to bytes. */
static void
check_format_round_trip (guint64 bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = vmem_size_format (bytes);
  guint64 again = 0;

  if (!vmem_size_parse (text, &again, &error))
    fuzz_fail ("vmem_size_format (%" G_GUINT64_FORMAT ") wrote '%s', which does not parse: %s",
               bytes, text, error->message);
  if (again != bytes)
    fuzz_fail ("vmem_size_format (%" G_GUINT64_FORMAT ") wrote '%s', which parses to %"
               G_GUINT64_FORMAT, bytes, text, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  fuzz_init ();

  if (size >= sizeof (guint64))
    {
      guint64 any;

      memcpy (&any, data, sizeof any);
      check_format_round_trip (any);
    }

  text = fuzz_strndup (data, size);
  if (!vmem_size_parse (text, &bytes, &error))
    {
      fuzz_check_error ("vmem_size_parse()", error);
      if (error->code != VMEM_ERROR_INVALID_SIZE && error->code != VMEM_ERROR_OVERFLOW)
        fuzz_fail ("vmem_size_parse ('%s') failed with code %d: %s",
                   text, error->code, error->message);
      return 0;
    }
  if (error != NULL)
    fuzz_fail ("vmem_size_parse ('%s') succeeded, with an error: %s", text, error->message);

  check_format_round_trip (bytes);

  /* The same reading through vmem_size_scale(): the digits, then the unit
   * after any spaces. */
  {
    g_autoptr(GError) scale_error = NULL;
    gsize digits = strspn (text, "0123456789");
    g_autofree char *number = g_strndup (text, digits);
    const char *unit = text + digits + strspn (text + digits, " ");
    guint64 value, scaled = 0;

    if (!g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64, &value, NULL))
      fuzz_fail ("vmem_size_parse ('%s') read a number that does not fit in 64 bits", text);
    if (!vmem_size_scale (value, unit, &scaled, &scale_error))
      fuzz_fail ("vmem_size_parse ('%s') succeeded, vmem_size_scale() did not: %s",
                 text, scale_error->message);
    if (scaled != bytes)
      fuzz_fail ("vmem_size_parse ('%s') gave %" G_GUINT64_FORMAT
                 ", vmem_size_scale() %" G_GUINT64_FORMAT, text, bytes, scaled);
  }

  return 0;
}
