/* fuzz-memory-device.c: libFuzzer harness for vmem_memory_device_new_from_xml()
 *
 * The input is the XML of one <memory> element, read by the libxml2-based
 * reader. Checked:
 *
 * - no crash, leak, undefined behaviour, GLib critical or warning, for any
 *   bytes;
 * - a refusal comes with a VMEM_ERROR; a device comes without an error;
 * - parse(write(parse(x))) == parse(x): the device written with
 *   vmem_memory_device_to_xml() reads back to a device equal to it
 *   (vmem_memory_device_equal()), which is written as the same XML;
 * - validating the device and using its address neither crash nor warn.
 *
 * Seeds: the <memory model=...> elements of the libvirt corpus.
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
  g_autoptr(VmemMemoryDevice) device = NULL;

  fuzz_init ();

  xml = fuzz_strndup (data, size);
  device = vmem_memory_device_new_from_xml (xml, &error);
  if (device == NULL)
    {
      fuzz_check_error ("vmem_memory_device_new_from_xml()", error);
      return 0;
    }
  if (error != NULL)
    fuzz_fail ("a device was read, with an error: %s", error->message);

  fuzz_exercise_device (device);
  fuzz_check_device_round_trip (device);
  return 0;
}
