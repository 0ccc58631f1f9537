/* test-libvirt-rules.c: the rules that follow the connected libvirt
 *
 * Some of libvirt's rules changed between the releases the library
 * supports, and the library follows the libvirt a connection talks to.
 * A connection can only be to the libvirt installed, so the private
 * functions that hold those rules are called here with versions on both
 * sides of each change: libvirt 9.0, Debian 12's, and 9.5, where only
 * dimm and nvdimm devices still take one of <maxMemory slots>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <vmem.h>

#include "vmem-domain-config-private.h"
#include "vmem-libvirt-private.h"
#include "vmem-memory-usage-private.h"

#define LIBVIRT_9_0  9000000
#define LIBVIRT_9_4  9004000
#define LIBVIRT_9_5  9005000
#define LIBVIRT_11_3 11003000

/* One device of each model, in a domain with eight slots. */
static const char domain_xml[] =
  "<domain type='kvm'>\n"
  "  <name>rules</name>\n"
  "  <maxMemory slots='8' unit='GiB'>64</maxMemory>\n"
  "  <memory unit='GiB'>12</memory>\n"
  "  <cpu>\n"
  "    <numa>\n"
  "      <cell id='0' cpus='0-1' memory='4' unit='GiB'/>\n"
  "    </numa>\n"
  "  </cpu>\n"
  "  <devices>\n"
  "    <memory model='dimm'>\n"
  "      <target><size unit='GiB'>1</size><node>0</node></target>\n"
  "    </memory>\n"
  "    <memory model='nvdimm'>\n"
  "      <source><path>/tmp/nvdimm</path></source>\n"
  "      <target><size unit='GiB'>1</size><node>0</node></target>\n"
  "    </memory>\n"
  "    <memory model='virtio-pmem' access='shared'>\n"
  "      <source><path>/tmp/virtio_pmem</path></source>\n"
  "      <target><size unit='GiB'>1</size></target>\n"
  "    </memory>\n"
  "    <memory model='virtio-mem'>\n"
  "      <target><size unit='GiB'>4</size><node>0</node>"
  "<block unit='MiB'>2</block><requested unit='GiB'>1</requested></target>\n"
  "    </memory>\n"
  "    <memory model='sgx-epc'>\n"
  "      <target><size unit='MiB'>64</size></target>\n"
  "    </memory>\n"
  "  </devices>\n"
  "</domain>\n";

static const struct
{
  VmemMemoryModel model;
  gboolean        takes_slot_since_9_5;
} models[] = {
  { VMEM_MEMORY_MODEL_DIMM, TRUE },
  { VMEM_MEMORY_MODEL_NVDIMM, TRUE },
  { VMEM_MEMORY_MODEL_VIRTIO_PMEM, FALSE },
  { VMEM_MEMORY_MODEL_VIRTIO_MEM, FALSE },
  { VMEM_MEMORY_MODEL_SGX_EPC, FALSE },
};

static void
test_version_macro (void)
{
  g_assert_cmpuint (VMEM_LIBVIRT_VERSION (9, 0, 0), ==, LIBVIRT_9_0);
  g_assert_cmpuint (VMEM_LIBVIRT_VERSION (9, 5, 0), ==, LIBVIRT_9_5);
  g_assert_cmpuint (VMEM_LIBVIRT_VERSION (11, 3, 0), ==, LIBVIRT_11_3);
}

/* Up to 9.4 every memory device takes a slot; since 9.5 only the DIMM
 * models do. An unknown version (0) is taken as the oldest. */
static void
test_takes_slot (void)
{
  static const gulong before[] = { 0, LIBVIRT_9_0, LIBVIRT_9_4, LIBVIRT_9_5 - 1 };
  static const gulong since[] = { LIBVIRT_9_5, LIBVIRT_11_3 };

  for (gsize m = 0; m < G_N_ELEMENTS (models); m++)
    {
      for (gsize v = 0; v < G_N_ELEMENTS (before); v++)
        g_assert_true (_vmem_libvirt_model_takes_slot (before[v], models[m].model));
      for (gsize v = 0; v < G_N_ELEMENTS (since); v++)
        g_assert_cmpint (_vmem_libvirt_model_takes_slot (since[v], models[m].model), ==,
                         models[m].takes_slot_since_9_5);
    }
}

/* Each libvirt's own words. */
static void
test_slots_error (void)
{
  g_autoptr(GError) error = NULL;

  _vmem_libvirt_set_slots_error (&error, LIBVIRT_9_0, 3, 2);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, "memory device count '3' exceeds slots count '2'");
  g_clear_error (&error);

  _vmem_libvirt_set_slots_error (&error, LIBVIRT_9_5, 3, 2);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "count of memory devices requiring memory slots '3' exceeds slots count '2'");
}

/* VmemDomain:free-memory-slots, as a domain computes it. */
static void
test_free_slots (void)
{
  static const struct
  {
    gulong version;
    guint  free_slots;
  } cases[] = {
    { 0, 3 },
    { LIBVIRT_9_0, 3 },            /* 8 slots, 5 devices */
    { LIBVIRT_9_4, 3 },
    { LIBVIRT_9_5, 6 },            /* the dimm and the nvdimm */
    { LIBVIRT_11_3, 6 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomainConfig) config = vmem_domain_config_new_from_xml (domain_xml, &error);
  g_autoptr(GPtrArray) devices = NULL;

  g_assert_no_error (error);
  devices = _vmem_domain_config_take_memory_devices (config);
  g_assert_cmpuint (devices->len, ==, G_N_ELEMENTS (models));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      VmemHotplugFigures figures = { 0, };

      _vmem_memory_usage_compute (config, (VmemMemoryDevice **) devices->pdata, devices->len,
                                  cases[i].version, NULL, NULL, FALSE, &figures);
      g_assert_cmpuint (figures.slots, ==, 8);
      g_assert_cmpuint (figures.free_slots, ==, cases[i].free_slots);
    }
}

/* More devices than slots leaves none free, never a wrapped count. */
static void
test_free_slots_none (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomainConfig) config = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GString) xml = g_string_new (domain_xml);
  VmemHotplugFigures figures = { 0, };

  g_string_replace (xml, "slots='8'", "slots='1'", 1);
  config = vmem_domain_config_new_from_xml (xml->str, &error);
  g_assert_no_error (error);
  devices = _vmem_domain_config_take_memory_devices (config);

  _vmem_memory_usage_compute (config, (VmemMemoryDevice **) devices->pdata, devices->len,
                              LIBVIRT_9_0, NULL, NULL, FALSE, &figures);
  g_assert_cmpuint (figures.free_slots, ==, 0);
  _vmem_memory_usage_compute (config, (VmemMemoryDevice **) devices->pdata, devices->len,
                              LIBVIRT_9_5, NULL, NULL, FALSE, &figures);
  g_assert_cmpuint (figures.free_slots, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libvirt-rules/version", test_version_macro);
  g_test_add_func ("/libvirt-rules/slots/takes-slot", test_takes_slot);
  g_test_add_func ("/libvirt-rules/slots/error", test_slots_error);
  g_test_add_func ("/libvirt-rules/slots/free", test_free_slots);
  g_test_add_func ("/libvirt-rules/slots/free-none", test_free_slots_none);

  return g_test_run ();
}
