/* fuzz-domain-config.c: libFuzzer harness for vmem_domain_config_new_from_xml()
 *
 * The input is a domain XML document, read by the libxml2-based reader,
 * which every memory device goes through as well. Checked:
 *
 * - no crash, leak, undefined behaviour, GLib critical or warning, for any
 *   bytes;
 * - a refusal comes with a VMEM_ERROR; a configuration comes without an
 *   error;
 * - parse(write(parse(x))) == parse(x) for every memory device of the
 *   configuration: written with vmem_memory_device_to_xml() and read back,
 *   it is equal to itself and written as the same XML;
 * - vmem_domain_config_validate() and the getters neither crash nor warn.
 *
 * Seeds: the domains of the libvirt corpus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) invalid = NULL;
  g_autoptr(VmemDomainConfig) config = NULL;
  GListModel *devices;

  fuzz_init ();

  xml = fuzz_strndup (data, size);
  config = vmem_domain_config_new_from_xml (xml, &error);
  if (config == NULL)
    {
      fuzz_check_error ("vmem_domain_config_new_from_xml()", error);
      return 0;
    }
  if (error != NULL)
    fuzz_fail ("a configuration was read, with an error: %s", error->message);

  if (!vmem_domain_config_validate (config, &invalid))
    fuzz_check_error ("vmem_domain_config_validate()", invalid);

  devices = vmem_domain_config_get_memory_devices (config);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      fuzz_exercise_device (device);
      fuzz_check_device_round_trip (device);
    }

  return 0;
}
