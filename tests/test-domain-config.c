/* test-domain-config.c: the memory view of a domain's XML
 *
 * Covers the domain-wide values (name, uuid, id, arch, maxMemory and its
 * slots, memory, currentMemory), the NUMA cells and the memory devices as
 * GListModels in document order, the values absent elements give, the
 * errors of a document that is not a domain, and
 * vmem_domain_config_validate() on libvirt's own failing cases and
 * variations of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <vmem.h>

#include "test-util.h"

#define KiB ((guint64) 1 << 10)
#define MiB ((guint64) 1 << 20)
#define GiB ((guint64) 1 << 30)

/* Live XML (it has an id), devices of every model between other devices,
 * and a top-level <memory> that is not a device. */
static const char domain_xml[] =
  "<domain type='qemu' id='7'>\n"
  "  <name>vmem-test</name>\n"
  "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
  "  <maxMemory slots='16' unit='GiB'>16</maxMemory>\n"
  "  <memory unit='MiB'>4096</memory>\n"
  "  <currentMemory unit='KiB'>3145728</currentMemory>\n"
  "  <vcpu placement='static'>4</vcpu>\n"
  "  <os>\n"
  "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n"
  "  </os>\n"
  "  <cpu mode='custom' match='exact'>\n"
  "    <numa>\n"
  "      <cell id='0' cpus='0-1' memory='1' unit='GiB'/>\n"
  "      <cell id='1' cpus='2-3' memory='1048576' unit='KiB'/>\n"
  "    </numa>\n"
  "  </cpu>\n"
  "  <devices>\n"
  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
  "    <disk type='file' device='disk'>\n"
  "      <source file='/var/lib/images/test.qcow2'/>\n"
  "      <target dev='vda' bus='virtio'/>\n"
  "    </disk>\n"
  "    <memory model='virtio-mem'>\n"
  "      <target>\n"
  "        <size unit='GiB'>1</size>\n"
  "        <node>0</node>\n"
  "        <block unit='KiB'>2048</block>\n"
  "        <requested unit='MiB'>128</requested>\n"
  "        <current unit='KiB'>131072</current>\n"
  "      </target>\n"
  "      <alias name='virtiomem0'/>\n"
  "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
  "    </memory>\n"
  "    <interface type='network'>\n"
  "      <source network='default'/>\n"
  "      <model type='virtio'/>\n"
  "    </interface>\n"
  "    <memory model='dimm'>\n"
  "      <target>\n"
  "        <size unit='MiB'>512</size>\n"
  "        <node>1</node>\n"
  "      </target>\n"
  "      <alias name='dimm0'/>\n"
  "      <address type='dimm' slot='0'/>\n"
  "    </memory>\n"
  "    <memory model='nvdimm'>\n"
  "      <source>\n"
  "        <path>/tmp/nvdimm</path>\n"
  "      </source>\n"
  "      <target>\n"
  "        <size unit='KiB'>524288</size>\n"
  "        <node>0</node>\n"
  "      </target>\n"
  "      <address type='dimm' slot='1'/>\n"
  "    </memory>\n"
  "    <console type='pty'/>\n"
  "    <memory model='virtio-pmem' access='shared'>\n"
  "      <source>\n"
  "        <path>/tmp/virtio_pmem</path>\n"
  "      </source>\n"
  "      <target>\n"
  "        <size unit='KiB'>524288</size>\n"
  "      </target>\n"
  "    </memory>\n"
  "    <memory model='sgx-epc'>\n"
  "      <target>\n"
  "        <size unit='KiB'>16384</size>\n"
  "        <node>1</node>\n"
  "      </target>\n"
  "    </memory>\n"
  "  </devices>\n"
  "</domain>\n";

static VmemDomainConfig *
parse_config (const char *xml)
{
  g_autoptr(GError) error = NULL;
  VmemDomainConfig *config;

  config = vmem_domain_config_new_from_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_true (VMEM_IS_DOMAIN_CONFIG (config));

  return config;
}

typedef struct
{
  VmemDomainConfig *config;
} ConfigFixture;

static void
config_fixture_set_up (ConfigFixture *fixture,
                       gconstpointer  data)
{
  fixture->config = parse_config (data);
}

static void
config_fixture_tear_down (ConfigFixture *fixture,
                          gconstpointer  data)
{
  g_clear_object (&fixture->config);
}

static void
test_values (ConfigFixture *fixture,
             gconstpointer  data)
{
  VmemDomainConfig *config = fixture->config;

  g_assert_cmpstr (vmem_domain_config_get_name (config), ==, "vmem-test");
  g_assert_cmpstr (vmem_domain_config_get_uuid (config), ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  g_assert_cmpint (vmem_domain_config_get_id (config), ==, 7);
  g_assert_cmpstr (vmem_domain_config_get_arch (config), ==, "x86_64");
  g_assert_cmpuint (vmem_domain_config_get_max_memory (config), ==, 16 * GiB);
  g_assert_cmpuint (vmem_domain_config_get_max_memory_slots (config), ==, 16);
  g_assert_cmpuint (vmem_domain_config_get_memory (config), ==, 4 * GiB);
  g_assert_cmpuint (vmem_domain_config_get_current_memory (config), ==, 3 * GiB);
}

static void
test_numa_cells (ConfigFixture *fixture,
                 gconstpointer  data)
{
  GListModel *cells = vmem_domain_config_get_numa_cells (fixture->config);
  g_autoptr(VmemNumaCell) cell0 = NULL;
  g_autoptr(VmemNumaCell) cell1 = NULL;

  g_assert_true (G_IS_LIST_MODEL (cells));
  g_assert_true (g_list_model_get_item_type (cells) == VMEM_TYPE_NUMA_CELL);
  g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 2);

  cell0 = g_list_model_get_item (cells, 0);
  cell1 = g_list_model_get_item (cells, 1);
  g_assert_true (VMEM_IS_NUMA_CELL (cell0));
  g_assert_cmpuint (vmem_numa_cell_get_id (cell0), ==, 0);
  g_assert_cmpstr (vmem_numa_cell_get_cpus (cell0), ==, "0-1");
  g_assert_cmpuint (vmem_numa_cell_get_memory (cell0), ==, GiB);
  g_assert_cmpuint (vmem_numa_cell_get_id (cell1), ==, 1);
  g_assert_cmpstr (vmem_numa_cell_get_cpus (cell1), ==, "2-3");
  g_assert_cmpuint (vmem_numa_cell_get_memory (cell1), ==, GiB);

  g_assert_null (g_list_model_get_item (cells, 2));
}

static void
test_memory_devices (ConfigFixture *fixture,
                     gconstpointer  data)
{
  GListModel *devices = vmem_domain_config_get_memory_devices (fixture->config);
  static const struct {
    VmemMemoryModel model;
    GType         (*get_type) (void);
    guint64         size;
    int             node;
    const char     *alias;
  } expected[] = {
    { VMEM_MEMORY_MODEL_VIRTIO_MEM, vmem_virtio_mem_get_type, GiB, 0, "virtiomem0" },
    { VMEM_MEMORY_MODEL_DIMM, vmem_dimm_get_type, 512 * MiB, 1, "dimm0" },
    { VMEM_MEMORY_MODEL_NVDIMM, vmem_nvdimm_get_type, 512 * MiB, 0, NULL },
    { VMEM_MEMORY_MODEL_VIRTIO_PMEM, vmem_virtio_pmem_get_type, 512 * MiB, -1, NULL },
    { VMEM_MEMORY_MODEL_SGX_EPC, vmem_sgx_epc_get_type, 16 * MiB, 1, NULL },
  };

  g_assert_true (G_IS_LIST_MODEL (devices));
  g_assert_true (g_list_model_get_item_type (devices) == VMEM_TYPE_MEMORY_DEVICE);
  /* The top-level <memory> is the domain's memory, not a device. */
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);

      g_assert_nonnull (device);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_MEMORY_DEVICE));
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, expected[i].get_type ()));
      g_assert_cmpint (vmem_memory_device_get_model (device), ==, expected[i].model);
      g_assert_cmpuint (vmem_memory_device_get_size (device), ==, expected[i].size);
      g_assert_cmpint (vmem_memory_device_get_node (device), ==, expected[i].node);
      g_assert_cmpstr (vmem_memory_device_get_alias (device), ==, expected[i].alias);
    }

  g_assert_null (g_list_model_get_item (devices, G_N_ELEMENTS (expected)));

  /* The live values of the virtio-mem device. */
  {
    g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, 0);
    VmemVirtioMem *vm = VMEM_VIRTIO_MEM (device);

    g_assert_cmpuint (vmem_virtio_mem_get_block_size (vm), ==, 2 * MiB);
    g_assert_cmpuint (vmem_virtio_mem_get_requested_size (vm), ==, 128 * MiB);
    g_assert_cmpuint (vmem_virtio_mem_get_current_size (vm), ==, 128 * MiB);
    g_assert_cmpuint (vmem_device_address_get_pci_bus (vmem_memory_device_get_address (device)), ==, 1);
  }
}

/* The devices' to_xml() gives what vmem_memory_device_new_from_xml()
 * reads back as the same device. */
static void
test_devices_round_trip (ConfigFixture *fixture,
                         gconstpointer  data)
{
  GListModel *devices = vmem_domain_config_get_memory_devices (fixture->config);
  guint n = g_list_model_get_n_items (devices);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VmemMemoryDevice) device = g_list_model_get_item (devices, i);
      g_autofree char *xml = vmem_memory_device_to_xml (device);
      g_autoptr(GError) error = NULL;
      g_autoptr(VmemMemoryDevice) again = vmem_memory_device_new_from_xml (xml, &error);

      g_assert_no_error (error);
      g_assert_true (vmem_memory_device_equal (device, again));
    }
}

static void
test_validate_ok (ConfigFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmem_domain_config_validate (fixture->config, &error));
  g_assert_no_error (error);
}

static void
test_minimal (void)
{
  g_autoptr(VmemDomainConfig) config =
    parse_config ("<domain type='kvm'><name>bare</name></domain>");

  g_assert_cmpstr (vmem_domain_config_get_name (config), ==, "bare");
  g_assert_null (vmem_domain_config_get_uuid (config));
  g_assert_cmpint (vmem_domain_config_get_id (config), ==, -1);
  g_assert_null (vmem_domain_config_get_arch (config));
  g_assert_cmpuint (vmem_domain_config_get_max_memory (config), ==, 0);
  g_assert_cmpuint (vmem_domain_config_get_max_memory_slots (config), ==, 0);
  g_assert_cmpuint (vmem_domain_config_get_memory (config), ==, 0);
  g_assert_cmpuint (vmem_domain_config_get_current_memory (config), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_numa_cells (config)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_memory_devices (config)), ==, 0);
  g_assert_true (g_list_model_get_item_type (vmem_domain_config_get_numa_cells (config)) == VMEM_TYPE_NUMA_CELL);
  g_assert_true (g_list_model_get_item_type (vmem_domain_config_get_memory_devices (config)) == VMEM_TYPE_MEMORY_DEVICE);
}

/* A <memory> without a unit is in KiB, as libvirt reads it; an empty
 * <devices> and a <numa> without cells give empty lists. */
static void
test_default_units (void)
{
  g_autoptr(VmemDomainConfig) config =
    parse_config ("<domain type='kvm'><name>units</name>"
                  "<maxMemory slots='4'>8388608</maxMemory>"
                  "<memory>2097152</memory>"
                  "<currentMemory>1048576</currentMemory>"
                  "<cpu><numa/></cpu>"
                  "<devices/></domain>");

  g_assert_cmpuint (vmem_domain_config_get_max_memory (config), ==, 8 * GiB);
  g_assert_cmpuint (vmem_domain_config_get_max_memory_slots (config), ==, 4);
  g_assert_cmpuint (vmem_domain_config_get_memory (config), ==, 2 * GiB);
  g_assert_cmpuint (vmem_domain_config_get_current_memory (config), ==, 1 * GiB);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_numa_cells (config)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (vmem_domain_config_get_memory_devices (config)), ==, 0);
}

static void
assert_config_error (const char *xml,
                     int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemDomainConfig) config = NULL;

  g_test_message ("expecting error %d for: %s", code, xml);
  config = vmem_domain_config_new_from_xml (xml, &error);
  g_assert_null (config);
  g_assert_error (error, VMEM_ERROR, code);
}

static void
test_errors (void)
{
  assert_config_error ("<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>",
                       VMEM_ERROR_INVALID_XML);
  assert_config_error ("<domainx type='kvm'><name>x</name></domainx>", VMEM_ERROR_INVALID_XML);
  assert_config_error ("<capabilities/>", VMEM_ERROR_INVALID_XML);
  assert_config_error ("<domain type='kvm'><name>x</name>", VMEM_ERROR_INVALID_XML);
  assert_config_error ("<domain type='kvm'><name>x</name></domain><domain/>", VMEM_ERROR_INVALID_XML);
  assert_config_error ("not xml", VMEM_ERROR_INVALID_XML);
  assert_config_error ("", VMEM_ERROR_INVALID_XML);

  /* A bad device makes the whole domain fail, with the device's error. */
  assert_config_error ("<domain type='kvm'><name>x</name><devices>"
                       "<memory model='bogus'><target><size unit='KiB'>1024</size></target></memory>"
                       "</devices></domain>",
                       VMEM_ERROR_UNSUPPORTED_MODEL);
  assert_config_error ("<domain type='kvm'><name>x</name><devices>"
                       "<memory model='dimm'><target><size unit='EiB'>16</size></target></memory>"
                       "</devices></domain>",
                       VMEM_ERROR_OVERFLOW);
  assert_config_error ("<domain type='kvm'><name>x</name><memory unit='KiB'>-5</memory></domain>",
                       VMEM_ERROR_INVALID_SIZE);
  assert_config_error ("<domain type='kvm' id='seven'><name>x</name></domain>",
                       VMEM_ERROR_INVALID_SIZE);
}

/* vmem_domain_config_validate() on libvirt's own failing inputs: the
 * message is libvirt's. */
static void
test_validate_corpus_err (void)
{
  static const char *stems[] = {
    "memory-hotplug-invalid-targetnode",
    "memory-hotplug-nonuma",
  };
  static const char prefix[] = "unsupported configuration: ";

  for (gsize i = 0; i < G_N_ELEMENTS (stems); i++)
    {
      g_autofree char *xml_name = g_strconcat (stems[i], ".xml", NULL);
      g_autofree char *err_name = g_strconcat (stems[i], ".err", NULL);
      g_autofree char *xml = test_corpus_read ("qemuxml2argvdata", xml_name);
      g_autofree char *err = test_corpus_read ("qemuxml2argvdata", err_name);
      g_autoptr(VmemDomainConfig) config = parse_config (xml);
      g_autoptr(GError) error = NULL;
      const char *message = g_strchomp (err);

      if (g_str_has_prefix (message, prefix))
        message += strlen (prefix);

      g_test_message ("%s: %s", stems[i], message);
      g_assert_false (vmem_domain_config_validate (config, &error));
      g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
      g_assert_cmpstr (error->message, ==, message);
    }
}

static char *
hotplug_domain (const char *arch,
                guint       n_cells,
                int         device_node)
{
  GString *xml = g_string_new (NULL);

  g_string_append_printf (xml,
                          "<domain type='qemu'><name>v</name>"
                          "<maxMemory slots='16' unit='KiB'>1099511627776</maxMemory>"
                          "<memory unit='KiB'>1267710</memory>"
                          "<os><type arch='%s' machine='pc'>hvm</type></os>",
                          arch);
  if (n_cells > 0)
    {
      g_string_append (xml, "<cpu><numa>");
      for (guint i = 0; i < n_cells; i++)
        g_string_append_printf (xml, "<cell id='%u' cpus='%u' memory='219136' unit='KiB'/>", i, i);
      g_string_append (xml, "</numa></cpu>");
    }
  g_string_append (xml, "<devices>");
  if (device_node >= -1)
    {
      g_string_append (xml, "<memory model='dimm'><target><size unit='KiB'>524288</size>");
      if (device_node >= 0)
        g_string_append_printf (xml, "<node>%d</node>", device_node);
      g_string_append (xml, "</target></memory>");
    }
  g_string_append (xml, "</devices></domain>");

  return g_string_free (xml, FALSE);
}

/* Variations of libvirt's cases: the numbers in the message are the
 * domain's own. */
static void
test_validate_rules (void)
{
  static const struct {
    const char *arch;
    guint       n_cells;
    int         device_node;   /* -2: no device; -1: a device without <node> */
    const char *message;       /* NULL: valid */
  } cases[] = {
    { "x86_64", 1, 0, NULL },
    { "x86_64", 2, 1, NULL },
    { "x86_64", 2, 2, "can't add memory backend for guest node '2' as the guest has only '2' NUMA nodes configured" },
    { "x86_64", 3, 7, "can't add memory backend for guest node '7' as the guest has only '3' NUMA nodes configured" },
    { "i686", 1, 1, "can't add memory backend for guest node '1' as the guest has only '1' NUMA nodes configured" },
    { "x86_64", 0, -2, "At least one numa node has to be configured when enabling memory hotplug" },
    { "x86_64", 0, -1, "At least one numa node has to be configured when enabling memory hotplug" },
    { "i686", 0, -2, "At least one numa node has to be configured when enabling memory hotplug" },
    /* ppc64 guests may hotplug memory without NUMA. */
    { "ppc64", 0, -1, NULL },
    { "ppc64", 0, -2, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = hotplug_domain (cases[i].arch, cases[i].n_cells, cases[i].device_node);
      g_autoptr(VmemDomainConfig) config = parse_config (xml);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", xml);
      if (cases[i].message == NULL)
        {
          g_assert_true (vmem_domain_config_validate (config, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (vmem_domain_config_validate (config, &error));
          g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG);
          g_assert_cmpstr (error->message, ==, cases[i].message);
        }
    }
}

/* A device that breaks its model's rules makes the domain invalid too. */
static void
test_validate_device_rules (void)
{
  static const char xml[] =
    "<domain type='qemu'><name>v</name>"
    "<maxMemory slots='16' unit='GiB'>16</maxMemory>"
    "<memory unit='GiB'>2</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<cpu><numa><cell id='0' cpus='0' memory='1' unit='GiB'/></numa></cpu>"
    "<devices><memory model='virtio-mem'><target><size unit='GiB'>1</size><node>0</node>"
    "<block unit='KiB'>2048</block><requested unit='KiB'>3072</requested></target></memory>"
    "</devices></domain>";
  g_autoptr(VmemDomainConfig) config = parse_config (xml);
  g_autoptr(GError) error = NULL;

  g_assert_false (vmem_domain_config_validate (config, &error));
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_NOT_ALIGNED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/domain-config/values", ConfigFixture, domain_xml,
              config_fixture_set_up, test_values, config_fixture_tear_down);
  g_test_add ("/domain-config/numa-cells", ConfigFixture, domain_xml,
              config_fixture_set_up, test_numa_cells, config_fixture_tear_down);
  g_test_add ("/domain-config/memory-devices", ConfigFixture, domain_xml,
              config_fixture_set_up, test_memory_devices, config_fixture_tear_down);
  g_test_add ("/domain-config/devices-round-trip", ConfigFixture, domain_xml,
              config_fixture_set_up, test_devices_round_trip, config_fixture_tear_down);
  g_test_add ("/domain-config/validate-ok", ConfigFixture, domain_xml,
              config_fixture_set_up, test_validate_ok, config_fixture_tear_down);
  g_test_add_func ("/domain-config/minimal", test_minimal);
  g_test_add_func ("/domain-config/default-units", test_default_units);
  g_test_add_func ("/domain-config/errors", test_errors);
  g_test_add_func ("/domain-config/validate-corpus-err", test_validate_corpus_err);
  g_test_add_func ("/domain-config/validate-rules", test_validate_rules);
  g_test_add_func ("/domain-config/validate-device-rules", test_validate_device_rules);

  return g_test_run ();
}
