/* fuzz-common.h: what the fuzz harnesses share
 *
 * The checks the harnesses make on what the library read: that a failure
 * comes with an error of the library's domain, that a device written with
 * vmem_memory_device_to_xml() reads back to an equal device and the same
 * XML, and that two domain configurations are the same in every getter.
 * A broken check prints what broke and aborts: libFuzzer reports it as a
 * crash and saves the input; fuzz-replay.c fails the test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmem.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static inline void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
fuzz_fail (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fuzz: invariant broken: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  fflush (stderr);
  abort ();
}

/* Once per process: a GLib critical or warning, such as a
 * g_return_if_fail() in the library, is a bug the fuzzer must report, not
 * a message it may ignore. */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* The input as the C string the API takes. Bytes after a NUL are not
 * part of the string, as for any caller. */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  char *text = g_malloc (size + 1);

  memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

/* A refusal must say why, in the library's own error domain. */
static inline void
fuzz_check_error (const char   *what,
                  const GError *error)
{
  if (error == NULL)
    fuzz_fail ("%s failed without an error", what);
  if (error->domain != VMEM_ERROR || error->message == NULL)
    fuzz_fail ("%s failed with an error outside VMEM_ERROR: %s", what,
               error->message != NULL ? error->message : "(no message)");
}

/* parse(write(device)) is @device, and writes the same XML. */
static inline void
fuzz_check_device_round_trip (VmemMemoryDevice *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemMemoryDevice) again = NULL;
  g_autofree char *xml = vmem_memory_device_to_xml (device);
  g_autofree char *xml_again = NULL;

  again = vmem_memory_device_new_from_xml (xml, &error);
  if (again == NULL)
    fuzz_fail ("the XML the device was written as does not read back (%s):\n%s",
               error->message, xml);

  xml_again = vmem_memory_device_to_xml (again);
  if (!vmem_memory_device_equal (device, again))
    fuzz_fail ("the device read back from its XML is not equal to it:\n%s\nread back and written:\n%s",
               xml, xml_again);
  if (strcmp (xml, xml_again) != 0)
    fuzz_fail ("the device read back from its XML is written differently:\n%s\nthen:\n%s",
               xml, xml_again);
}

/* What else a reader of a device would do with it: none of it may crash
 * or warn, whatever the device holds. */
static inline void
fuzz_exercise_device (VmemMemoryDevice *device)
{
  g_autoptr(GError) error = NULL;
  const VmemDeviceAddress *address = vmem_memory_device_get_address (device);

  if (!vmem_memory_device_validate (device, &error))
    fuzz_check_error ("vmem_memory_device_validate()", error);

  if (address != NULL)
    {
      g_autofree char *text = vmem_device_address_to_string (address);
      g_autoptr(VmemDeviceAddress) copy = vmem_device_address_copy (address);

      if (!vmem_device_address_equal (address, copy))
        fuzz_fail ("an address is not equal to its copy: %s", text);
    }
}

static inline void
fuzz_check_numa_cells_equal (GListModel *a,
                             GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    fuzz_fail ("%u NUMA cells against %u", n, g_list_model_get_n_items (b));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemNumaCell) x = g_list_model_get_item (a, i);
      g_autoptr(VmemNumaCell) y = g_list_model_get_item (b, i);

      if (vmem_numa_cell_get_id (x) != vmem_numa_cell_get_id (y) ||
          g_strcmp0 (vmem_numa_cell_get_cpus (x), vmem_numa_cell_get_cpus (y)) != 0 ||
          vmem_numa_cell_get_memory (x) != vmem_numa_cell_get_memory (y))
        fuzz_fail ("NUMA cell %u differs: id %u cpus '%s' memory %" G_GUINT64_FORMAT
                   " against id %u cpus '%s' memory %" G_GUINT64_FORMAT, i,
                   vmem_numa_cell_get_id (x), vmem_numa_cell_get_cpus (x),
                   vmem_numa_cell_get_memory (x),
                   vmem_numa_cell_get_id (y), vmem_numa_cell_get_cpus (y),
                   vmem_numa_cell_get_memory (y));
    }
}

static inline void
fuzz_check_devices_equal (GListModel *a,
                          GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    fuzz_fail ("%u memory devices against %u", n, g_list_model_get_n_items (b));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryDevice) x = g_list_model_get_item (a, i);
      g_autoptr(VmemMemoryDevice) y = g_list_model_get_item (b, i);
      g_autofree char *xml_x = vmem_memory_device_to_xml (x);
      g_autofree char *xml_y = vmem_memory_device_to_xml (y);

      if (!vmem_memory_device_equal (x, y) || strcmp (xml_x, xml_y) != 0)
        fuzz_fail ("memory device %u differs:\n%s\nagainst:\n%s", i, xml_x, xml_y);
    }
}

#define fuzz_check_same(what, fmt, x, y) \
  G_STMT_START { \
    if ((x) != (y)) \
      fuzz_fail ("%s differs: " fmt " against " fmt, what, x, y); \
  } G_STMT_END

#define fuzz_check_same_str(what, x, y) \
  G_STMT_START { \
    const char *_x = (x), *_y = (y); \
    if (g_strcmp0 (_x, _y) != 0) \
      fuzz_fail ("%s differs: '%s' against '%s'", what, \
                 _x != NULL ? _x : "(null)", _y != NULL ? _y : "(null)"); \
  } G_STMT_END

/* Every getter of the two configurations gives the same. */
static inline void
fuzz_check_configs_equal (VmemDomainConfig *a,
                          VmemDomainConfig *b)
{
  fuzz_check_same_str ("name", vmem_domain_config_get_name (a), vmem_domain_config_get_name (b));
  fuzz_check_same_str ("uuid", vmem_domain_config_get_uuid (a), vmem_domain_config_get_uuid (b));
  fuzz_check_same ("id", "%d", vmem_domain_config_get_id (a), vmem_domain_config_get_id (b));
  fuzz_check_same_str ("arch", vmem_domain_config_get_arch (a), vmem_domain_config_get_arch (b));
  fuzz_check_same ("max memory", "%" G_GUINT64_FORMAT,
                   vmem_domain_config_get_max_memory (a), vmem_domain_config_get_max_memory (b));
  fuzz_check_same ("max memory slots", "%u",
                   vmem_domain_config_get_max_memory_slots (a),
                   vmem_domain_config_get_max_memory_slots (b));
  fuzz_check_same ("memory", "%" G_GUINT64_FORMAT,
                   vmem_domain_config_get_memory (a), vmem_domain_config_get_memory (b));
  fuzz_check_same ("current memory", "%" G_GUINT64_FORMAT,
                   vmem_domain_config_get_current_memory (a),
                   vmem_domain_config_get_current_memory (b));
  fuzz_check_numa_cells_equal (vmem_domain_config_get_numa_cells (a),
                               vmem_domain_config_get_numa_cells (b));
  fuzz_check_devices_equal (vmem_domain_config_get_memory_devices (a),
                            vmem_domain_config_get_memory_devices (b));
}
