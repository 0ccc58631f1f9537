/* vmem-size.c: sizes and libvirt's units
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-size.h"

#include <string.h>

#include "vmem-error.h"
#include "vmem-private.h"

/**
 * SECTION:vmem-size
 * @Title: Sizes
 * @Short_description: Converting between libvirt's units and bytes
 *
 * Sizes in the API are always bytes, as #guint64, whatever unit the XML
 * used. These helpers read sizes the way libvirt does: a non-negative
 * integer and one of libvirt's units, case-insensitively: `b`, `byte` or
 * `bytes`; `KB`, `MB`, `GB`, `TB`, `PB`, `EB` (powers of 1000); `k`, `M`,
 * `G`, `T`, `P`, `E` or `KiB`, `MiB`, `GiB`, `TiB`, `PiB`, `EiB` (powers
 * of 1024). A value that does not fit in 64 bits once scaled is an error
 * (%VMEM_ERROR_OVERFLOW), never a wrap.
 *
 * For an approximate, human-friendly size, use g_format_size_full() with
 * %G_FORMAT_SIZE_IEC_UNITS; vmem_size_format() writes exact sizes.
 */

static gboolean
unit_scale (const char  *unit,
            guint64     *out_scale,
            GError     **error)
{
  static const char prefixes[] = "kmgtpe";
  const char *p;
  guint64 base;
  guint64 scale = 1;

  if (g_ascii_strcasecmp (unit, "b") == 0 ||
      g_ascii_strcasecmp (unit, "byte") == 0 ||
      g_ascii_strcasecmp (unit, "bytes") == 0)
    {
      *out_scale = 1;
      return TRUE;
    }

  /* One letter, the letter and "iB" (powers of 1024), or the letter and
   * "B" (powers of 1000): libvirt's rules. */
  if (unit[0] != '\0' && (unit[1] == '\0' || g_ascii_strcasecmp (unit + 1, "iB") == 0))
    base = 1024;
  else if (unit[0] != '\0' && g_ascii_tolower (unit[1]) == 'b' && unit[2] == '\0')
    base = 1000;
  else
    goto unknown;

  p = strchr (prefixes, g_ascii_tolower (unit[0]));
  if (unit[0] == '\0' || p == NULL)
    goto unknown;

  for (const char *q = prefixes; q <= p; q++)
    scale *= base;

  *out_scale = scale;
  return TRUE;

unknown:
  g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE,
               "Unknown size unit '%s'", unit);
  return FALSE;
}

/**
 * vmem_size_scale:
 * @value: a number of @unit
 * @unit: (nullable): one of libvirt's units, such as "KiB" or "GB"; %NULL
 *   or "" for bytes
 * @out_bytes: (out): where to store the size in bytes
 * @error: return location for a #GError, or %NULL
 *
 * Scales @value, written in @unit, to bytes.
 *
 * Returns: (skip): %TRUE on success; %FALSE with %VMEM_ERROR_INVALID_SIZE
 *   for an unknown unit or %VMEM_ERROR_OVERFLOW when the result does not fit
 *   in 64 bits
 *
 * Since: 0.1
 */
gboolean
vmem_size_scale (guint64       value,
                 const char   *unit,
                 guint64      *out_bytes,
                 GError      **error)
{
  guint64 scale = 1;

  g_return_val_if_fail (out_bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (unit != NULL && *unit != '\0' && !unit_scale (unit, &scale, error))
    return FALSE;

  if (value > G_MAXUINT64 / scale)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_OVERFLOW,
                   "Size %" G_GUINT64_FORMAT " %s does not fit in 64 bits",
                   value, unit != NULL && *unit != '\0' ? unit : "bytes");
      return FALSE;
    }

  *out_bytes = value * scale;
  return TRUE;
}

gboolean
_vmem_size_from_strings (const char  *number,
                         const char  *unit,
                         const char  *default_unit,
                         guint64     *out_bytes,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (!g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64, &value, &local_error))
    {
      if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR,
                           G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        g_set_error (error, VMEM_ERROR, VMEM_ERROR_OVERFLOW,
                     "Size '%s' does not fit in 64 bits", number);
      else
        g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE,
                     "Invalid size '%s': expected a non-negative integer", number);
      return FALSE;
    }

  return vmem_size_scale (value, unit != NULL ? unit : default_unit, out_bytes, error);
}

/**
 * vmem_size_parse:
 * @text: a size such as "2GiB", "512 MiB" or "1073741824"
 * @out_bytes: (out): where to store the size in bytes
 * @error: return location for a #GError, or %NULL
 *
 * Reads a size written as a non-negative integer and an optional unit
 * (see vmem_size_scale()), with optional spaces between them. A number
 * without a unit is in bytes.
 *
 * In languages with exceptions, the function returns the size and raises
 * the error: `Vmem.size_parse('2GiB') == 2147483648` in Python.
 *
 * Returns: (skip): %TRUE on success; %FALSE with %VMEM_ERROR_INVALID_SIZE
 *   when @text is not a size, or %VMEM_ERROR_OVERFLOW when it does not fit
 *   in 64 bits
 *
 * Since: 0.1
 */
gboolean
vmem_size_parse (const char  *text,
                 guint64     *out_bytes,
                 GError     **error)
{
  g_autofree char *number = NULL;
  const char *unit;
  gsize digits;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  digits = strspn (text, "0123456789");
  if (digits == 0)
    {
      g_set_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE,
                   "Invalid size '%s': expected a non-negative integer and a unit",
                   text);
      return FALSE;
    }

  number = g_strndup (text, digits);
  unit = text + digits;
  while (*unit == ' ')
    unit++;

  if (!_vmem_size_from_strings (number, unit, NULL, out_bytes, error))
    {
      g_prefix_error (error, "'%s': ", text);
      return FALSE;
    }

  return TRUE;
}

/**
 * vmem_size_format:
 * @bytes: a size in bytes
 *
 * Writes @bytes exactly, in the largest binary unit that divides it:
 * "2GiB", "1536MiB", "1000B". vmem_size_parse() reads the result back to
 * the same number.
 *
 * Returns: (transfer full): the size as text
 *
 * Since: 0.1
 */
char *
vmem_size_format (guint64 bytes)
{
  static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  guint i = 0;

  while (bytes != 0 && bytes % 1024 == 0 && i + 1 < G_N_ELEMENTS (units))
    {
      bytes /= 1024;
      i++;
    }

  return g_strdup_printf ("%" G_GUINT64_FORMAT "%s", bytes, units[i]);
}
