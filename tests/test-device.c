/* test-device.c: the memory-device classes
 *
 * Covers each model's properties and defaults as read from libvirt's
 * <memory> XML, the subclass vmem_memory_device_new_from_xml() picks,
 * its errors, device addresses, property notification, the round trip
 * of elements and attributes the library does not model, size units,
 * vmem_memory_device_equal(), and the validation rules of virtio-mem,
 * nvdimm and virtio-pmem devices.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <vmem.h>

#include "test-util.h"

#define KiB ((guint64) 1 << 10)
#define MiB ((guint64) 1 << 20)
#define GiB ((guint64) 1 << 30)

static const char dimm_xml[] =
  "<memory model='dimm' discard='yes'>\n"
  "  <source>\n"
  "    <nodemask>1-3</nodemask>\n"
  "    <pagesize unit='KiB'>2048</pagesize>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>524288</size>\n"
  "    <node>1</node>\n"
  "  </target>\n"
  "  <alias name='ua-dimm0'/>\n"
  "  <address type='dimm' slot='2' base='0x100000000'/>\n"
  "</memory>\n";

static const char nvdimm_xml[] =
  "<memory model='nvdimm' access='private'>\n"
  "  <uuid>49545eb3-75e1-2d0a-acdd-f0294406c99e</uuid>\n"
  "  <source>\n"
  "    <path>/tmp/nvdimm</path>\n"
  "    <alignsize unit='KiB'>2048</alignsize>\n"
  "    <pmem/>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>550000</size>\n"
  "    <node>0</node>\n"
  "    <label>\n"
  "      <size unit='KiB'>128</size>\n"
  "    </label>\n"
  "    <readonly/>\n"
  "  </target>\n"
  "  <address type='dimm' slot='0'/>\n"
  "</memory>\n";

static const char virtio_pmem_xml[] =
  "<memory model='virtio-pmem' access='shared'>\n"
  "  <source>\n"
  "    <path>/tmp/virtio_pmem</path>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>524288</size>\n"
  "  </target>\n"
  "  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n"
  "</memory>\n";

/* Live XML: <current> and the alias are only there for a running domain. */
static const char virtio_mem_xml[] =
  "<memory model='virtio-mem' discard='no'>\n"
  "  <source>\n"
  "    <nodemask>1-3</nodemask>\n"
  "    <pagesize unit='KiB'>2048</pagesize>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>2097152</size>\n"
  "    <node>0</node>\n"
  "    <block unit='KiB'>2048</block>\n"
  "    <requested unit='KiB'>1048576</requested>\n"
  "    <current unit='KiB'>524288</current>\n"
  "    <address base='0x150000000'/>\n"
  "  </target>\n"
  "  <alias name='virtiomem0'/>\n"
  "  <address type='pci' domain='0x0000' bus='0x01' slot='0x1f' function='0x7'/>\n"
  "</memory>\n";

static const char sgx_epc_xml[] =
  "<memory model='sgx-epc'>\n"
  "  <source>\n"
  "    <nodemask>0-1</nodemask>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>16384</size>\n"
  "    <node>1</node>\n"
  "  </target>\n"
  "</memory>\n";

static VmemMemoryDevice *
parse_device (const char *xml)
{
  g_autoptr(GError) error = NULL;
  VmemMemoryDevice *device;

  device = vmem_memory_device_new_from_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_true (VMEM_IS_MEMORY_DEVICE (device));

  return device;
}

static void
assert_parse_error (const char *xml,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemMemoryDevice) device = NULL;

  g_test_message ("expecting error %d for: %s", code, xml);
  device = vmem_memory_device_new_from_xml (xml, &error);
  g_assert_null (device);
  g_assert_error (error, VMEM_ERROR, code);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
}

/* Properties, read through GObject so the property names and types are
 * checked as well as the getters. */

static void
assert_prop_uint64 (gpointer    object,
                    const char *name,
                    guint64     expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  guint64 value = ~expected;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_UINT64);
  g_object_get (object, name, &value, NULL);
  g_assert_cmpuint (value, ==, expected);
}

static void
assert_prop_int (gpointer    object,
                 const char *name,
                 int         expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  int value = ~expected;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_INT);
  g_object_get (object, name, &value, NULL);
  g_assert_cmpint (value, ==, expected);
}

static void
assert_prop_boolean (gpointer    object,
                     const char *name,
                     gboolean    expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  gboolean value = !expected;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN);
  g_object_get (object, name, &value, NULL);
  g_assert_cmpint (!!value, ==, !!expected);
}

static void
assert_prop_string (gpointer    object,
                    const char *name,
                    const char *expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_autofree char *value = NULL;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING);
  g_object_get (object, name, &value, NULL);
  g_assert_cmpstr (value, ==, expected);
}

static void
assert_prop_enum (gpointer    object,
                  const char *name,
                  GType       enum_type,
                  int         expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  int value = ~expected;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == enum_type);
  g_object_get (object, name, &value, NULL);
  g_assert_cmpint (value, ==, expected);
}

static void
assert_prop_address (gpointer                 object,
                     const VmemDeviceAddress *expected)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), "address");
  g_autoptr(VmemDeviceAddress) value = NULL;

  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == VMEM_TYPE_DEVICE_ADDRESS);
  g_object_get (object, "address", &value, NULL);
  g_assert_true (vmem_device_address_equal (value, expected));
}

/* The properties every model shares, checked against the getters. */
static void
assert_common (VmemMemoryDevice *device,
               VmemMemoryModel   model,
               const char       *alias,
               guint64           size,
               int               node,
               VmemMemoryAccess  access,
               VmemTristate      discard)
{
  g_assert_cmpint (vmem_memory_device_get_model (device), ==, model);
  assert_prop_enum (device, "model", VMEM_TYPE_MEMORY_MODEL, model);
  g_assert_cmpstr (vmem_memory_device_get_alias (device), ==, alias);
  assert_prop_string (device, "alias", alias);
  g_assert_cmpuint (vmem_memory_device_get_size (device), ==, size);
  assert_prop_uint64 (device, "size", size);
  g_assert_cmpint (vmem_memory_device_get_node (device), ==, node);
  assert_prop_int (device, "node", node);
  g_assert_cmpint (vmem_memory_device_get_access (device), ==, access);
  assert_prop_enum (device, "access", VMEM_TYPE_MEMORY_ACCESS, access);
  g_assert_cmpint (vmem_memory_device_get_discard (device), ==, discard);
  assert_prop_enum (device, "discard", VMEM_TYPE_TRISTATE, discard);
}

static void
assert_source (VmemMemoryDevice *device,
               guint64           pagesize,
               const char       *nodemask,
               const char       *path,
               guint64           alignsize,
               gboolean          pmem)
{
  g_assert_cmpuint (vmem_memory_device_get_source_pagesize (device), ==, pagesize);
  assert_prop_uint64 (device, "source-pagesize", pagesize);
  g_assert_cmpstr (vmem_memory_device_get_source_nodemask (device), ==, nodemask);
  assert_prop_string (device, "source-nodemask", nodemask);
  g_assert_cmpstr (vmem_memory_device_get_source_path (device), ==, path);
  assert_prop_string (device, "source-path", path);
  g_assert_cmpuint (vmem_memory_device_get_source_alignsize (device), ==, alignsize);
  assert_prop_uint64 (device, "source-alignsize", alignsize);
  g_assert_cmpint (!!vmem_memory_device_get_source_pmem (device), ==, !!pmem);
  assert_prop_boolean (device, "source-pmem", pmem);
}

static void
test_dimm_properties (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (dimm_xml);
  g_autoptr(VmemDeviceAddress) expected = vmem_device_address_new_dimm (2, G_GUINT64_CONSTANT (0x100000000));
  const VmemDeviceAddress *address;

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_DIMM));
  g_assert_true (G_OBJECT_TYPE (device) == VMEM_TYPE_DIMM);
  assert_common (device, VMEM_MEMORY_MODEL_DIMM, "ua-dimm0", 512 * MiB, 1,
                 VMEM_MEMORY_ACCESS_DEFAULT, VMEM_TRISTATE_YES);
  assert_source (device, 2 * MiB, "1-3", NULL, 0, FALSE);

  address = vmem_memory_device_get_address (device);
  g_assert_nonnull (address);
  g_assert_cmpint (vmem_device_address_get_address_type (address), ==, VMEM_ADDRESS_TYPE_DIMM);
  g_assert_cmpstr (vmem_device_address_get_type_name (address), ==, "dimm");
  g_assert_cmpuint (vmem_device_address_get_dimm_slot (address), ==, 2);
  g_assert_cmpuint (vmem_device_address_get_base (address), ==, G_GUINT64_CONSTANT (0x100000000));
  g_assert_true (vmem_device_address_equal (address, expected));
  assert_prop_address (device, expected);
}

static void
test_nvdimm_properties (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (nvdimm_xml);
  g_autoptr(VmemDeviceAddress) expected = vmem_device_address_new_dimm (0, 0);
  VmemNvdimm *nvdimm;

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_NVDIMM));
  g_assert_true (G_OBJECT_TYPE (device) == VMEM_TYPE_NVDIMM);
  nvdimm = VMEM_NVDIMM (device);

  assert_common (device, VMEM_MEMORY_MODEL_NVDIMM, NULL, 550000 * KiB, 0,
                 VMEM_MEMORY_ACCESS_PRIVATE, VMEM_TRISTATE_DEFAULT);
  assert_source (device, 0, NULL, "/tmp/nvdimm", 2 * MiB, TRUE);

  g_assert_cmpuint (vmem_nvdimm_get_label_size (nvdimm), ==, 128 * KiB);
  assert_prop_uint64 (device, "label-size", 128 * KiB);
  g_assert_true (vmem_nvdimm_get_readonly (nvdimm));
  assert_prop_boolean (device, "readonly", TRUE);
  g_assert_cmpstr (vmem_nvdimm_get_uuid (nvdimm), ==, "49545eb3-75e1-2d0a-acdd-f0294406c99e");
  assert_prop_string (device, "uuid", "49545eb3-75e1-2d0a-acdd-f0294406c99e");

  g_assert_true (vmem_device_address_equal (vmem_memory_device_get_address (device), expected));
  g_assert_cmpuint (vmem_device_address_get_base (vmem_memory_device_get_address (device)), ==, 0);
  assert_prop_address (device, expected);
}

static void
test_virtio_pmem_properties (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (virtio_pmem_xml);
  g_autoptr(VmemDeviceAddress) expected = vmem_device_address_new_pci (0, 0, 5, 0);
  const VmemDeviceAddress *address;

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_VIRTIO_PMEM));
  g_assert_true (G_OBJECT_TYPE (device) == VMEM_TYPE_VIRTIO_PMEM);
  assert_common (device, VMEM_MEMORY_MODEL_VIRTIO_PMEM, NULL, 512 * MiB, -1,
                 VMEM_MEMORY_ACCESS_SHARED, VMEM_TRISTATE_DEFAULT);
  assert_source (device, 0, NULL, "/tmp/virtio_pmem", 0, FALSE);

  address = vmem_memory_device_get_address (device);
  g_assert_nonnull (address);
  g_assert_cmpint (vmem_device_address_get_address_type (address), ==, VMEM_ADDRESS_TYPE_PCI);
  g_assert_cmpstr (vmem_device_address_get_type_name (address), ==, "pci");
  g_assert_cmpuint (vmem_device_address_get_pci_domain (address), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_pci_bus (address), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_pci_slot (address), ==, 5);
  g_assert_cmpuint (vmem_device_address_get_pci_function (address), ==, 0);
  g_assert_true (vmem_device_address_equal (address, expected));
  assert_prop_address (device, expected);
}

static void
test_virtio_mem_properties (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (virtio_mem_xml);
  g_autoptr(VmemDeviceAddress) expected = vmem_device_address_new_pci (0, 1, 0x1f, 7);
  const VmemDeviceAddress *address;
  VmemVirtioMem *vm;

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_VIRTIO_MEM));
  g_assert_true (G_OBJECT_TYPE (device) == VMEM_TYPE_VIRTIO_MEM);
  vm = VMEM_VIRTIO_MEM (device);

  assert_common (device, VMEM_MEMORY_MODEL_VIRTIO_MEM, "virtiomem0", 2 * GiB, 0,
                 VMEM_MEMORY_ACCESS_DEFAULT, VMEM_TRISTATE_NO);
  assert_source (device, 2 * MiB, "1-3", NULL, 0, FALSE);

  g_assert_cmpuint (vmem_virtio_mem_get_block_size (vm), ==, 2 * MiB);
  assert_prop_uint64 (device, "block-size", 2 * MiB);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (vm), ==, 1 * GiB);
  assert_prop_uint64 (device, "requested-size", 1 * GiB);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (vm), ==, 512 * MiB);
  assert_prop_uint64 (device, "current-size", 512 * MiB);
  g_assert_cmpuint (vmem_virtio_mem_get_address_base (vm), ==, G_GUINT64_CONSTANT (0x150000000));
  assert_prop_uint64 (device, "address-base", G_GUINT64_CONSTANT (0x150000000));

  address = vmem_memory_device_get_address (device);
  g_assert_nonnull (address);
  g_assert_cmpint (vmem_device_address_get_address_type (address), ==, VMEM_ADDRESS_TYPE_PCI);
  g_assert_cmpuint (vmem_device_address_get_pci_bus (address), ==, 1);
  g_assert_cmpuint (vmem_device_address_get_pci_slot (address), ==, 0x1f);
  g_assert_cmpuint (vmem_device_address_get_pci_function (address), ==, 7);
  g_assert_true (vmem_device_address_equal (address, expected));
  assert_prop_address (device, expected);
}

static void
test_sgx_epc_properties (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (sgx_epc_xml);

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, VMEM_TYPE_SGX_EPC));
  g_assert_true (G_OBJECT_TYPE (device) == VMEM_TYPE_SGX_EPC);
  assert_common (device, VMEM_MEMORY_MODEL_SGX_EPC, NULL, 16 * MiB, 1,
                 VMEM_MEMORY_ACCESS_DEFAULT, VMEM_TRISTATE_DEFAULT);
  assert_source (device, 0, "0-1", NULL, 0, FALSE);
  g_assert_null (vmem_memory_device_get_address (device));
  assert_prop_address (device, NULL);
}

/* What an element or attribute that is absent gives. */
static void
test_defaults_from_xml (void)
{
  g_autoptr(VmemMemoryDevice) dimm =
    parse_device ("<memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>");
  g_autoptr(VmemMemoryDevice) vm =
    parse_device ("<memory model='virtio-mem'><target><size unit='KiB'>1048576</size>"
                  "<node>0</node><block unit='KiB'>2048</block>"
                  "<requested unit='KiB'>0</requested></target></memory>");
  g_autoptr(VmemMemoryDevice) nvdimm =
    parse_device ("<memory model='nvdimm'><source><path>/tmp/n</path></source>"
                  "<target><size unit='KiB'>524288</size></target></memory>");

  assert_common (dimm, VMEM_MEMORY_MODEL_DIMM, NULL, 1 * MiB, -1,
                 VMEM_MEMORY_ACCESS_DEFAULT, VMEM_TRISTATE_DEFAULT);
  assert_source (dimm, 0, NULL, NULL, 0, FALSE);
  g_assert_null (vmem_memory_device_get_address (dimm));

  assert_common (vm, VMEM_MEMORY_MODEL_VIRTIO_MEM, NULL, 1 * GiB, 0,
                 VMEM_MEMORY_ACCESS_DEFAULT, VMEM_TRISTATE_DEFAULT);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (VMEM_VIRTIO_MEM (vm)), ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (VMEM_VIRTIO_MEM (vm)), ==, 0);
  assert_prop_uint64 (vm, "current-size", 0);
  g_assert_cmpuint (vmem_virtio_mem_get_address_base (VMEM_VIRTIO_MEM (vm)), ==, 0);
  g_assert_null (vmem_memory_device_get_address (vm));

  g_assert_cmpuint (vmem_nvdimm_get_label_size (VMEM_NVDIMM (nvdimm)), ==, 0);
  g_assert_false (vmem_nvdimm_get_readonly (VMEM_NVDIMM (nvdimm)));
  g_assert_null (vmem_nvdimm_get_uuid (VMEM_NVDIMM (nvdimm)));
  g_assert_cmpint (vmem_memory_device_get_node (nvdimm), ==, -1);
}

/* What a device built in code starts with. */
static void
test_defaults_new (void)
{
  g_autoptr(VmemDimm) dimm = vmem_dimm_new ();
  g_autoptr(VmemNvdimm) nvdimm = vmem_nvdimm_new ();
  g_autoptr(VmemVirtioPmem) pmem = vmem_virtio_pmem_new ();
  g_autoptr(VmemVirtioMem) vm = vmem_virtio_mem_new ();
  g_autoptr(VmemSgxEpc) sgx = vmem_sgx_epc_new ();
  /* A new virtio-pmem starts with the shared access libvirt requires. */
  struct {
    VmemMemoryDevice *device;
    VmemMemoryModel   model;
    GType             type;
    VmemMemoryAccess  access;
  } all[] = {
    { VMEM_MEMORY_DEVICE (dimm), VMEM_MEMORY_MODEL_DIMM, VMEM_TYPE_DIMM, VMEM_MEMORY_ACCESS_DEFAULT },
    { VMEM_MEMORY_DEVICE (nvdimm), VMEM_MEMORY_MODEL_NVDIMM, VMEM_TYPE_NVDIMM, VMEM_MEMORY_ACCESS_DEFAULT },
    { VMEM_MEMORY_DEVICE (pmem), VMEM_MEMORY_MODEL_VIRTIO_PMEM, VMEM_TYPE_VIRTIO_PMEM, VMEM_MEMORY_ACCESS_SHARED },
    { VMEM_MEMORY_DEVICE (vm), VMEM_MEMORY_MODEL_VIRTIO_MEM, VMEM_TYPE_VIRTIO_MEM, VMEM_MEMORY_ACCESS_DEFAULT },
    { VMEM_MEMORY_DEVICE (sgx), VMEM_MEMORY_MODEL_SGX_EPC, VMEM_TYPE_SGX_EPC, VMEM_MEMORY_ACCESS_DEFAULT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_true (G_OBJECT_TYPE (all[i].device) == all[i].type);
      g_assert_true (g_type_is_a (all[i].type, VMEM_TYPE_MEMORY_DEVICE));
      assert_common (all[i].device, all[i].model, NULL, 0, -1,
                     all[i].access, VMEM_TRISTATE_DEFAULT);
      assert_source (all[i].device, 0, NULL, NULL, 0, FALSE);
      g_assert_null (vmem_memory_device_get_address (all[i].device));
    }

  g_assert_cmpuint (vmem_nvdimm_get_label_size (nvdimm), ==, 0);
  g_assert_false (vmem_nvdimm_get_readonly (nvdimm));
  g_assert_null (vmem_nvdimm_get_uuid (nvdimm));
  g_assert_cmpuint (vmem_virtio_mem_get_block_size (vm), ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (vm), ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_current_size (vm), ==, 0);
  g_assert_cmpuint (vmem_virtio_mem_get_address_base (vm), ==, 0);
}

static void
test_new_from_xml_types (void)
{
  static const struct {
    const char *xml;
    GType     (*get_type) (void);
  } cases[] = {
    { dimm_xml, vmem_dimm_get_type },
    { nvdimm_xml, vmem_nvdimm_get_type },
    { virtio_pmem_xml, vmem_virtio_pmem_get_type },
    { virtio_mem_xml, vmem_virtio_mem_get_type },
    { sgx_epc_xml, vmem_sgx_epc_get_type },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VmemMemoryDevice) device = parse_device (cases[i].xml);
      GType type = cases[i].get_type ();

      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (device, type));
      g_assert_true (G_OBJECT_TYPE (device) == type);
      /* One subclass per model: no device is of two of them. */
      for (gsize j = 0; j < G_N_ELEMENTS (cases); j++)
        if (j != i)
          g_assert_false (G_TYPE_CHECK_INSTANCE_TYPE (device, cases[j].get_type ()));
    }
}

static void
test_new_from_xml_errors (void)
{
  /* Not a <memory> element. */
  assert_parse_error ("<disk type='file' device='disk'/>", VMEM_ERROR_INVALID_XML);
  assert_parse_error ("<domain type='kvm'><devices><memory model='dimm'><target>"
                      "<size unit='KiB'>1024</size></target></memory></devices></domain>",
                      VMEM_ERROR_INVALID_XML);
  assert_parse_error ("<memoryx model='dimm'/>", VMEM_ERROR_INVALID_XML);

  /* Not XML. */
  assert_parse_error ("<memory model='dimm'><target>", VMEM_ERROR_INVALID_XML);
  assert_parse_error ("memory", VMEM_ERROR_INVALID_XML);
  assert_parse_error ("", VMEM_ERROR_INVALID_XML);
  assert_parse_error ("<memory model='dimm'/><memory model='dimm'/>", VMEM_ERROR_INVALID_XML);

  /* Models libvirt does not have, or spelled otherwise. */
  assert_parse_error ("<memory model='bogus'/>", VMEM_ERROR_UNSUPPORTED_MODEL);
  assert_parse_error ("<memory model='DIMM'><target><size unit='KiB'>1024</size></target></memory>",
                      VMEM_ERROR_UNSUPPORTED_MODEL);
  assert_parse_error ("<memory model='virtio_mem'><target><size unit='KiB'>1024</size></target></memory>",
                      VMEM_ERROR_UNSUPPORTED_MODEL);
  assert_parse_error ("<memory model=''><target><size unit='KiB'>1024</size></target></memory>",
                      VMEM_ERROR_UNSUPPORTED_MODEL);

  /* Sizes and numbers that are not non-negative integers. */
  assert_parse_error ("<memory model='dimm'><target><size unit='XB'>1</size></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='dimm'><target><size unit='KiB'>abc</size></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='dimm'><target><size unit='KiB'>1.5</size></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='dimm'><target><size unit='KiB'>1024</size>"
                      "<node>zero</node></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='virtio-pmem' access='shared'><source><path>/tmp/p</path></source>"
                      "<target><size unit='KiB'>524288</size></target>"
                      "<address type='pci' domain='0x0000' bus='0x00' slot='0xzz' function='0x0'/>"
                      "</memory>",
                      VMEM_ERROR_INVALID_SIZE);
}

/* Addresses. */

static void
test_address_pci (void)
{
  g_autoptr(VmemDeviceAddress) a = vmem_device_address_new_pci (0x10, 0x2, 0x1f, 7);
  g_autoptr(VmemDeviceAddress) b = vmem_device_address_new_pci (0, 0, 2, 0);
  g_autoptr(VmemDeviceAddress) copy = vmem_device_address_copy (a);
  g_autofree char *text = vmem_device_address_to_string (b);

  g_assert_cmpint (vmem_device_address_get_address_type (a), ==, VMEM_ADDRESS_TYPE_PCI);
  g_assert_cmpstr (vmem_device_address_get_type_name (a), ==, "pci");
  g_assert_cmpuint (vmem_device_address_get_pci_domain (a), ==, 0x10);
  g_assert_cmpuint (vmem_device_address_get_pci_bus (a), ==, 0x2);
  g_assert_cmpuint (vmem_device_address_get_pci_slot (a), ==, 0x1f);
  g_assert_cmpuint (vmem_device_address_get_pci_function (a), ==, 7);
  /* The DIMM getters give 0 for another type. */
  g_assert_cmpuint (vmem_device_address_get_dimm_slot (a), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_base (a), ==, 0);

  g_assert_true (copy != a);
  g_assert_true (vmem_device_address_equal (a, copy));
  g_assert_false (vmem_device_address_equal (a, b));
  g_assert_false (vmem_device_address_equal (a, NULL));
  g_assert_true (vmem_device_address_equal (NULL, NULL));
  g_assert_cmpstr (text, ==, "pci 0000:00:02.0");
}

static void
test_address_dimm (void)
{
  g_autoptr(VmemDeviceAddress) a = vmem_device_address_new_dimm (0, G_GUINT64_CONSTANT (0x100000000));
  g_autoptr(VmemDeviceAddress) b = vmem_device_address_new_dimm (0, 0);
  g_autoptr(VmemDeviceAddress) c = vmem_device_address_new_dimm (1, G_GUINT64_CONSTANT (0x100000000));
  g_autoptr(VmemDeviceAddress) pci = vmem_device_address_new_pci (0, 0, 0, 0);
  g_autoptr(VmemDeviceAddress) copy = vmem_device_address_copy (a);
  g_autofree char *text = vmem_device_address_to_string (a);
  g_autofree char *text_b = vmem_device_address_to_string (b);

  g_assert_cmpint (vmem_device_address_get_address_type (a), ==, VMEM_ADDRESS_TYPE_DIMM);
  g_assert_cmpstr (vmem_device_address_get_type_name (a), ==, "dimm");
  g_assert_cmpuint (vmem_device_address_get_dimm_slot (c), ==, 1);
  g_assert_cmpuint (vmem_device_address_get_base (a), ==, G_GUINT64_CONSTANT (0x100000000));
  g_assert_cmpuint (vmem_device_address_get_base (b), ==, 0);
  /* The PCI getters give 0 for another type. */
  g_assert_cmpuint (vmem_device_address_get_pci_slot (c), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_pci_bus (c), ==, 0);

  g_assert_true (vmem_device_address_equal (a, copy));
  g_assert_false (vmem_device_address_equal (a, b));
  g_assert_false (vmem_device_address_equal (a, c));
  /* A DIMM slot 0 is not PCI 0000:00:00.0. */
  g_assert_false (vmem_device_address_equal (b, pci));
  g_assert_cmpstr (text, ==, "dimm slot 0 base 0x100000000");
  g_assert_true (g_str_has_prefix (text_b, "dimm slot 0"));
  g_assert_null (strstr (text_b, "base"));
}

/* An address type the library does not model is kept with its
 * attributes and written back as it was. */
static void
test_address_other (void)
{
  static const char xml[] =
    "<memory model='dimm'>"
    "<target><size unit='KiB'>524288</size></target>"
    "<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0001'/>"
    "</memory>";
  g_autoptr(VmemMemoryDevice) device = parse_device (xml);
  g_autoptr(VmemMemoryDevice) again = NULL;
  g_autoptr(VmemDeviceAddress) pci = vmem_device_address_new_pci (0, 0, 0, 0);
  g_autoptr(VmemDeviceAddress) copy = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  const VmemDeviceAddress *address;

  address = vmem_memory_device_get_address (device);
  g_assert_nonnull (address);
  g_assert_cmpint (vmem_device_address_get_address_type (address), ==, VMEM_ADDRESS_TYPE_OTHER);
  g_assert_cmpstr (vmem_device_address_get_type_name (address), ==, "ccw");
  g_assert_cmpuint (vmem_device_address_get_pci_slot (address), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_dimm_slot (address), ==, 0);
  g_assert_cmpuint (vmem_device_address_get_base (address), ==, 0);
  g_assert_false (vmem_device_address_equal (address, pci));
  text = vmem_device_address_to_string (address);
  g_assert_nonnull (strstr (text, "ccw"));

  copy = vmem_device_address_copy (address);
  g_assert_true (vmem_device_address_equal (address, copy));

  out = vmem_memory_device_to_xml (device);
  test_assert_xpath (out, "/memory/address/@type", "ccw");
  test_assert_xpath (out, "/memory/address/@cssid", "0xfe");
  test_assert_xpath (out, "/memory/address/@ssid", "0x0");
  test_assert_xpath (out, "/memory/address/@devno", "0x0001");

  again = parse_device (out);
  g_assert_true (vmem_device_address_equal (vmem_memory_device_get_address (again), address));
  g_assert_true (vmem_memory_device_equal (device, again));
}

/* Addresses are written as libvirt writes them. */
static void
test_address_format (void)
{
  g_autoptr(VmemMemoryDevice) vm = parse_device (virtio_mem_xml);
  g_autoptr(VmemMemoryDevice) dimm = parse_device (dimm_xml);
  g_autoptr(VmemDimm) fresh = vmem_dimm_new ();
  g_autoptr(VmemDeviceAddress) slot = vmem_device_address_new_dimm (3, 0);
  g_autoptr(VmemDeviceAddress) pci = vmem_device_address_new_pci (0, 2, 0x1a, 1);
  g_autofree char *vm_out = vmem_memory_device_to_xml (vm);
  g_autofree char *dimm_out = vmem_memory_device_to_xml (dimm);
  g_autofree char *fresh_out = NULL;
  g_autofree char *pci_out = NULL;
  g_autoptr(xmlDoc) pci_doc = NULL;

  test_assert_xpath (vm_out, "/memory/address/@type", "pci");
  test_assert_xpath (vm_out, "/memory/address/@domain", "0x0000");
  test_assert_xpath (vm_out, "/memory/address/@bus", "0x01");
  test_assert_xpath (vm_out, "/memory/address/@slot", "0x1f");
  test_assert_xpath (vm_out, "/memory/address/@function", "0x7");
  test_assert_xpath (vm_out, "/memory/target/address/@base", "0x150000000");

  test_assert_xpath (dimm_out, "/memory/address/@type", "dimm");
  test_assert_xpath (dimm_out, "/memory/address/@slot", "2");
  test_assert_xpath (dimm_out, "/memory/address/@base", "0x100000000");

  vmem_memory_device_set_size (VMEM_MEMORY_DEVICE (fresh), 256 * MiB);
  vmem_memory_device_set_address (VMEM_MEMORY_DEVICE (fresh), slot);
  fresh_out = vmem_memory_device_to_xml (VMEM_MEMORY_DEVICE (fresh));
  test_assert_xpath (fresh_out, "/memory/@model", "dimm");
  test_assert_xpath (fresh_out, "/memory/target/size", "262144");
  test_assert_xpath (fresh_out, "/memory/target/size/@unit", "KiB");
  test_assert_xpath (fresh_out, "/memory/address/@type", "dimm");
  test_assert_xpath (fresh_out, "/memory/address/@slot", "3");
  test_assert_xpath (fresh_out, "/memory/address/@base", NULL);
  test_assert_xpath (fresh_out, "/memory/target/node", NULL);

  vmem_memory_device_set_address (VMEM_MEMORY_DEVICE (fresh), pci);
  pci_out = vmem_memory_device_to_xml (VMEM_MEMORY_DEVICE (fresh));
  test_assert_xpath (pci_out, "/memory/address/@type", "pci");
  test_assert_xpath (pci_out, "/memory/address/@domain", "0x0000");
  test_assert_xpath (pci_out, "/memory/address/@bus", "0x02");
  test_assert_xpath (pci_out, "/memory/address/@slot", "0x1a");
  test_assert_xpath (pci_out, "/memory/address/@function", "0x1");

  /* The new address replaced the old one. */
  pci_doc = test_xml_doc_new (pci_out);
  g_assert_cmpuint (test_xpath_count (pci_doc, "/memory/address"), ==, 1);
  g_assert_cmpuint (test_xpath_count (pci_doc, "/memory/address/@base"), ==, 0);
}

/* Notification: a property set to the value it has emits nothing, a new
 * value emits exactly one notify, for that property. */

typedef struct
{
  VmemMemoryDevice *device;
  GPtrArray        *notified;
} NotifyFixture;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  NotifyFixture *fixture = user_data;

  g_ptr_array_add (fixture->notified, g_strdup (pspec->name));
}

static void
notify_fixture_set_up (NotifyFixture *fixture,
                       gconstpointer  data)
{
  const char *xml = data;

  fixture->device = parse_device (xml);
  fixture->notified = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->device, "notify", G_CALLBACK (on_notify), fixture);
}

static void
notify_fixture_tear_down (NotifyFixture *fixture,
                          gconstpointer  data)
{
  g_clear_object (&fixture->device);
  g_clear_pointer (&fixture->notified, g_ptr_array_unref);
}

static void
assert_notified (NotifyFixture *fixture,
                 const char    *name)
{
  if (name == NULL)
    {
      if (fixture->notified->len != 0)
        g_error ("unexpected notify::%s", (const char *) fixture->notified->pdata[0]);
    }
  else
    {
      g_assert_cmpuint (fixture->notified->len, ==, 1);
      g_assert_cmpstr (fixture->notified->pdata[0], ==, name);
    }

  g_ptr_array_set_size (fixture->notified, 0);
}

/* A value of @pspec's type that differs from @current and that the
 * property accepts. */
static void
different_value (GParamSpec   *pspec,
                 const GValue *current,
                 GValue       *out)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  g_value_init (out, type);

  if (type == G_TYPE_BOOLEAN)
    g_value_set_boolean (out, !g_value_get_boolean (current));
  else if (type == G_TYPE_INT)
    {
      GParamSpecInt *ispec = G_PARAM_SPEC_INT (pspec);
      int v = g_value_get_int (current);

      g_value_set_int (out, v < ispec->maximum ? v + 1 : v - 1);
    }
  else if (type == G_TYPE_UINT)
    {
      GParamSpecUInt *uspec = G_PARAM_SPEC_UINT (pspec);
      guint v = g_value_get_uint (current);

      g_value_set_uint (out, v < uspec->maximum ? v + 1 : v - 1);
    }
  else if (type == G_TYPE_UINT64)
    {
      guint64 v = g_value_get_uint64 (current);

      /* Doubling keeps a power of two a power of two (block sizes). */
      g_value_set_uint64 (out, v == 0 ? 2 * MiB : v <= G_MAXUINT64 / 2 ? v * 2 : v / 2);
    }
  else if (G_TYPE_IS_ENUM (type))
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (type);
      int v = g_value_get_enum (current);

      for (guint i = 0; i < klass->n_values; i++)
        if (klass->values[i].value != v)
          {
            g_value_set_enum (out, klass->values[i].value);
            break;
          }
    }
  else if (type == G_TYPE_STRING)
    {
      static const struct {
        const char *name;
        const char *one;
        const char *other;
      } strings[] = {
        { "uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809", "49545eb3-75e1-2d0a-acdd-f0294406c99e" },
        { "alias", "ua-one", "ua-other" },
        { "source-nodemask", "0-1", "2" },
        { "source-path", "/tmp/one", "/tmp/other" },
      };
      const char *v = g_value_get_string (current);
      const char *one = "one";
      const char *other = "other";

      for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
        if (g_str_equal (strings[i].name, pspec->name))
          {
            one = strings[i].one;
            other = strings[i].other;
          }

      g_value_set_string (out, g_strcmp0 (v, one) != 0 ? one : other);
    }
  else if (type == VMEM_TYPE_DEVICE_ADDRESS)
    {
      const VmemDeviceAddress *v = g_value_get_boxed (current);

      if (v == NULL)
        g_value_take_boxed (out, vmem_device_address_new_dimm (7, 0));
      else
        g_value_set_boxed (out, NULL);
    }
  else
    g_error ("property %s has a type the test does not know: %s",
             pspec->name, g_type_name (type));
}

static void
test_notify_properties (NotifyFixture *fixture,
                        gconstpointer  data)
{
  GObject *object = G_OBJECT (fixture->device);
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;
  guint n_writable = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);
  g_assert_cmpuint (n_pspecs, >, 0);

  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) current = G_VALUE_INIT;
      g_auto(GValue) changed = G_VALUE_INIT;
      g_auto(GValue) read_back = G_VALUE_INIT;

      if (!(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
        continue;

      n_writable++;
      g_test_message ("%s::%s", G_OBJECT_TYPE_NAME (object), pspec->name);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);

      g_value_init (&current, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (object, pspec->name, &current);

      /* The same value: no notify. */
      g_object_set_property (object, pspec->name, &current);
      assert_notified (fixture, NULL);

      /* A new value: one notify, and the new value reads back. */
      different_value (pspec, &current, &changed);
      g_object_set_property (object, pspec->name, &changed);
      assert_notified (fixture, pspec->name);

      g_value_init (&read_back, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (object, pspec->name, &read_back);
      /* Boxed values are copies: compare them by content. */
      if (G_PARAM_SPEC_VALUE_TYPE (pspec) == VMEM_TYPE_DEVICE_ADDRESS)
        g_assert_true (vmem_device_address_equal (g_value_get_boxed (&read_back),
                                                  g_value_get_boxed (&changed)));
      else
        g_assert_cmpint (g_param_values_cmp (pspec, &read_back, &changed), ==, 0);

      /* The new value again: nothing. */
      g_object_set_property (object, pspec->name, &changed);
      assert_notified (fixture, NULL);

      /* And back. */
      g_object_set_property (object, pspec->name, &current);
      assert_notified (fixture, pspec->name);
    }

  /* At least the shared properties are writable. */
  g_assert_cmpuint (n_writable, >=, 6);
}

static void
test_notify_setters (NotifyFixture *fixture,
                     gconstpointer  data)
{
  VmemMemoryDevice *device = fixture->device;
  g_autoptr(VmemDeviceAddress) same = vmem_device_address_copy (vmem_memory_device_get_address (device));
  g_autoptr(VmemDeviceAddress) other = vmem_device_address_new_dimm (9, 0);
  VmemVirtioMem *vm = VMEM_VIRTIO_MEM (device);

  vmem_memory_device_set_size (device, 2 * GiB);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_size (device, 4 * GiB);
  assert_notified (fixture, "size");
  g_assert_cmpuint (vmem_memory_device_get_size (device), ==, 4 * GiB);

  vmem_memory_device_set_node (device, 0);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_node (device, -1);
  assert_notified (fixture, "node");

  vmem_memory_device_set_alias (device, "virtiomem0");
  assert_notified (fixture, NULL);
  vmem_memory_device_set_alias (device, NULL);
  assert_notified (fixture, "alias");
  vmem_memory_device_set_alias (device, NULL);
  assert_notified (fixture, NULL);

  vmem_memory_device_set_discard (device, VMEM_TRISTATE_NO);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_discard (device, VMEM_TRISTATE_YES);
  assert_notified (fixture, "discard");

  vmem_memory_device_set_access (device, VMEM_MEMORY_ACCESS_DEFAULT);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_access (device, VMEM_MEMORY_ACCESS_SHARED);
  assert_notified (fixture, "access");

  vmem_memory_device_set_source_nodemask (device, "1-3");
  assert_notified (fixture, NULL);
  vmem_memory_device_set_source_nodemask (device, "0");
  assert_notified (fixture, "source-nodemask");

  vmem_memory_device_set_source_pagesize (device, 2 * MiB);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_source_pagesize (device, 1 * GiB);
  assert_notified (fixture, "source-pagesize");

  /* An equal address is the same value, even as another boxed copy. */
  vmem_memory_device_set_address (device, same);
  assert_notified (fixture, NULL);
  vmem_memory_device_set_address (device, other);
  assert_notified (fixture, "address");
  vmem_memory_device_set_address (device, NULL);
  assert_notified (fixture, "address");
  vmem_memory_device_set_address (device, NULL);
  assert_notified (fixture, NULL);

  vmem_virtio_mem_set_block_size (vm, 2 * MiB);
  assert_notified (fixture, NULL);
  vmem_virtio_mem_set_block_size (vm, 4 * MiB);
  assert_notified (fixture, "block-size");

  vmem_virtio_mem_set_address_base (vm, G_GUINT64_CONSTANT (0x150000000));
  assert_notified (fixture, NULL);
  vmem_virtio_mem_set_address_base (vm, 0);
  assert_notified (fixture, "address-base");

  vmem_virtio_mem_set_dynamic_memslots (vm, VMEM_TRISTATE_DEFAULT);
  assert_notified (fixture, NULL);
  vmem_virtio_mem_set_dynamic_memslots (vm, VMEM_TRISTATE_YES);
  assert_notified (fixture, "dynamic-memslots");
}

/* The XML round trip. */

static void
test_xml_unknown_kept (void)
{
  static const char xml[] =
    "<memory model='dimm' foo='bar'><target><size unit='KiB'>524288</size><node>0</node>"
    "<frob a='1'>x</frob></target><newthing/></memory>";
  g_autoptr(VmemMemoryDevice) device = parse_device (xml);
  g_autoptr(VmemMemoryDevice) again = NULL;
  g_autofree char *out = vmem_memory_device_to_xml (device);
  g_autofree char *out_again = NULL;
  g_autoptr(xmlDoc) doc = test_xml_doc_new (out);

  g_assert_cmpuint (vmem_memory_device_get_size (device), ==, 512 * MiB);
  g_assert_cmpint (vmem_memory_device_get_node (device), ==, 0);

  test_assert_xpath (out, "/memory/@model", "dimm");
  test_assert_xpath (out, "/memory/@foo", "bar");
  test_assert_xpath (out, "/memory/target/frob", "x");
  test_assert_xpath (out, "/memory/target/frob/@a", "1");
  test_assert_xpath (out, "/memory/target/size", "524288");
  test_assert_xpath (out, "/memory/target/node", "0");
  g_assert_cmpuint (test_xpath_count (doc, "/memory/newthing"), ==, 1);
  g_assert_cmpuint (test_xpath_count (doc, "/memory/newthing/node()"), ==, 0);
  g_assert_cmpuint (test_xpath_count (doc, "/memory/target/frob"), ==, 1);
  g_assert_cmpuint (test_xpath_count (doc, "/memory/frob"), ==, 0);
  g_assert_cmpuint (test_xpath_count (doc, "/memory/target/newthing"), ==, 0);
  g_assert_cmpuint (test_xpath_count (doc, "//@foo"), ==, 1);

  /* And again: nothing is lost or doubled on the second trip. */
  again = parse_device (out);
  out_again = vmem_memory_device_to_xml (again);
  g_assert_cmpstr (out_again, ==, out);
  g_assert_true (vmem_memory_device_equal (device, again));
}

static void
test_xml_units (void)
{
  static const struct {
    const char *size;
    guint64     bytes;
    const char *kib;
  } cases[] = {
    { "<size unit='GiB'>1</size>", GiB, "1048576" },
    { "<size unit='G'>2</size>", 2 * GiB, "2097152" },
    { "<size unit='MiB'>512</size>", 512 * MiB, "524288" },
    { "<size unit='MB'>1024</size>", G_GUINT64_CONSTANT (1024000000), "1000000" },
    { "<size unit='bytes'>1073741824</size>", GiB, "1048576" },
    { "<size unit='b'>4096</size>", 4 * KiB, "4" },
    { "<size unit='kib'>2048</size>", 2 * MiB, "2048" },
    /* libvirt's unit for a <size> that names none is KiB. */
    { "<size>1024</size>", MiB, "1024" },
    { "<size unit='TiB'>1</size>", GiB * 1024, "1073741824" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<memory model='dimm'><target>%s<node>0</node>"
                                              "</target></memory>", cases[i].size);
      g_autoptr(VmemMemoryDevice) device = NULL;
      g_autofree char *out = NULL;

      g_test_message ("%s", cases[i].size);
      device = parse_device (xml);
      g_assert_cmpuint (vmem_memory_device_get_size (device), ==, cases[i].bytes);

      out = vmem_memory_device_to_xml (device);
      test_assert_xpath (out, "/memory/target/size", cases[i].kib);
      test_assert_xpath (out, "/memory/target/size/@unit", "KiB");
    }
}

static void
test_xml_size_errors (void)
{
  /* 16 EiB and 2^54 KiB are 2^64 bytes. */
  assert_parse_error ("<memory model='dimm'><target><size unit='EiB'>16</size></target></memory>",
                      VMEM_ERROR_OVERFLOW);
  assert_parse_error ("<memory model='dimm'><target><size>18014398509481984</size></target></memory>",
                      VMEM_ERROR_OVERFLOW);
  assert_parse_error ("<memory model='dimm'><target><size unit='b'>18446744073709551616</size></target></memory>",
                      VMEM_ERROR_OVERFLOW);
  assert_parse_error ("<memory model='virtio-mem'><target><size unit='KiB'>1048576</size>"
                      "<block unit='KiB'>2048</block>"
                      "<requested unit='EiB'>17</requested></target></memory>",
                      VMEM_ERROR_OVERFLOW);
  assert_parse_error ("<memory model='dimm'><source><pagesize unit='EiB'>32</pagesize></source>"
                      "<target><size unit='KiB'>1024</size></target></memory>",
                      VMEM_ERROR_OVERFLOW);

  assert_parse_error ("<memory model='dimm'><target><size unit='KiB'>-1</size></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='dimm'><target><size>-524288</size></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='virtio-mem'><target><size unit='KiB'>1048576</size>"
                      "<block unit='KiB'>-2048</block></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);
  assert_parse_error ("<memory model='nvdimm'><source><path>/tmp/n</path></source>"
                      "<target><size unit='KiB'>524288</size>"
                      "<label><size unit='KiB'>-128</size></label></target></memory>",
                      VMEM_ERROR_INVALID_SIZE);

  /* The largest size that fits is fine. */
  {
    g_autoptr(VmemMemoryDevice) device =
      parse_device ("<memory model='dimm'><target><size unit='KiB'>18014398509481983</size>"
                    "</target></memory>");

    g_assert_cmpuint (vmem_memory_device_get_size (device), ==,
                      G_GUINT64_CONSTANT (18014398509481983) * KiB);
  }
}

/* What libvirt 9.4 and later have for memory devices and 9.0 lacks:
 * virtio-mem's dynamicMemslots (10.1) and the base address of a
 * virtio-pmem device (9.4), read, typed, set and written in libvirt's own
 * layout, whatever libvirt the library runs on. */
static const char virtio_mem_recent_xml[] =
  "<memory model='virtio-mem'>\n"
  "  <target dynamicMemslots='yes'>\n"
  "    <size unit='KiB'>4194304</size>\n"
  "    <node>0</node>\n"
  "    <block unit='KiB'>2048</block>\n"
  "    <requested unit='KiB'>1048576</requested>\n"
  "    <address base='0x4000000000'/>\n"
  "  </target>\n"
  "  <alias name='virtiomem1'/>\n"
  "</memory>\n";

static const char virtio_pmem_recent_xml[] =
  "<memory model='virtio-pmem' access='shared'>\n"
  "  <source>\n"
  "    <path>/tmp/virtio_pmem</path>\n"
  "  </source>\n"
  "  <target>\n"
  "    <size unit='KiB'>524288</size>\n"
  "    <address base='0x2000000000'/>\n"
  "  </target>\n"
  "</memory>\n";

static void
test_xml_recent_fields (void)
{
  g_autoptr(VmemMemoryDevice) vm = parse_device (virtio_mem_recent_xml);
  g_autoptr(VmemMemoryDevice) vp = parse_device (virtio_pmem_recent_xml);
  g_autoptr(VmemVirtioMem) made = vmem_virtio_mem_new ();
  g_autoptr(VmemVirtioPmem) made_pmem = vmem_virtio_pmem_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VmemMemoryDevice) bad = NULL;
  g_autofree char *out = NULL;
  VmemTristate tristate;

  /* Read and typed. */
  g_assert_cmpint (vmem_virtio_mem_get_dynamic_memslots (VMEM_VIRTIO_MEM (vm)), ==, VMEM_TRISTATE_YES);
  g_object_get (vm, "dynamic-memslots", &tristate, NULL);
  g_assert_cmpint (tristate, ==, VMEM_TRISTATE_YES);
  g_assert_cmpuint (vmem_virtio_mem_get_address_base (VMEM_VIRTIO_MEM (vm)), ==,
                    G_GUINT64_CONSTANT (0x4000000000));
  g_assert_cmpuint (vmem_virtio_pmem_get_address_base (VMEM_VIRTIO_PMEM (vp)), ==,
                    G_GUINT64_CONSTANT (0x2000000000));
  assert_prop_uint64 (vp, "address-base", G_GUINT64_CONSTANT (0x2000000000));

  /* Written back as read: typed fields, not kept as unknown XML. */
  out = vmem_memory_device_to_xml (vm);
  g_assert_cmpstr (out, ==, virtio_mem_recent_xml);
  g_clear_pointer (&out, g_free);
  out = vmem_memory_device_to_xml (vp);
  g_assert_cmpstr (out, ==, virtio_pmem_recent_xml);
  g_clear_pointer (&out, g_free);

  /* Set, and written as set; absent when left to the hypervisor. */
  vmem_virtio_mem_set_dynamic_memslots (VMEM_VIRTIO_MEM (vm), VMEM_TRISTATE_NO);
  out = vmem_memory_device_to_xml (vm);
  g_assert_nonnull (strstr (out, "  <target dynamicMemslots='no'>\n"));
  g_clear_pointer (&out, g_free);
  g_object_set (vm, "dynamic-memslots", VMEM_TRISTATE_DEFAULT, NULL);
  out = vmem_memory_device_to_xml (vm);
  g_assert_nonnull (strstr (out, "  <target>\n"));
  g_assert_null (strstr (out, "dynamicMemslots"));
  g_clear_pointer (&out, g_free);

  vmem_virtio_pmem_set_address_base (VMEM_VIRTIO_PMEM (vp), G_GUINT64_CONSTANT (0x3000000000));
  out = vmem_memory_device_to_xml (vp);
  g_assert_nonnull (strstr (out, "    <address base='0x3000000000'/>\n"));
  g_clear_pointer (&out, g_free);

  /* New devices have neither, and write neither. */
  g_assert_cmpint (vmem_virtio_mem_get_dynamic_memslots (made), ==, VMEM_TRISTATE_DEFAULT);
  g_assert_cmpuint (vmem_virtio_pmem_get_address_base (made_pmem), ==, 0);
  out = vmem_memory_device_to_xml (VMEM_MEMORY_DEVICE (made_pmem));
  g_assert_null (strstr (out, "<address"));
  g_clear_pointer (&out, g_free);
  vmem_virtio_mem_set_dynamic_memslots (made, VMEM_TRISTATE_YES);
  out = vmem_memory_device_to_xml (VMEM_MEMORY_DEVICE (made));
  g_assert_nonnull (strstr (out, "  <target dynamicMemslots='yes'>\n"));
  g_clear_pointer (&out, g_free);

  /* A value libvirt would refuse is refused. */
  bad = vmem_memory_device_new_from_xml ("<memory model='virtio-mem'><target dynamicMemslots='maybe'>"
                                         "<size unit='KiB'>2048</size></target></memory>", &error);
  g_assert_null (bad);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML);
  g_clear_error (&error);
  bad = vmem_memory_device_new_from_xml ("<memory model='virtio-pmem'><target><size unit='KiB'>2048</size>"
                                         "<address base='0xnope'/></target></memory>", &error);
  g_assert_null (bad);
  g_assert_error (error, VMEM_ERROR, VMEM_ERROR_INVALID_SIZE);
}

/* Every device of every model survives parse -> to_xml -> parse. */
static void
test_xml_round_trip (void)
{
  const char *all[] = { dimm_xml, nvdimm_xml, virtio_pmem_xml, virtio_mem_xml, sgx_epc_xml,
                        virtio_mem_recent_xml, virtio_pmem_recent_xml };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(VmemMemoryDevice) device = parse_device (all[i]);
      g_autofree char *out = vmem_memory_device_to_xml (device);
      g_autoptr(VmemMemoryDevice) again = parse_device (out);
      g_autofree char *out_again = vmem_memory_device_to_xml (again);

      g_assert_true (G_OBJECT_TYPE (device) == G_OBJECT_TYPE (again));
      g_assert_true (vmem_memory_device_equal (device, again));
      g_assert_true (vmem_memory_device_equal (again, device));
      g_assert_cmpstr (out, ==, out_again);
    }
}

static void
test_equal (void)
{
  g_autoptr(VmemMemoryDevice) a = parse_device (virtio_mem_xml);
  g_autofree char *out = vmem_memory_device_to_xml (a);
  g_autoptr(VmemMemoryDevice) b = parse_device (out);
  g_autoptr(VmemMemoryDevice) dimm = parse_device (dimm_xml);
  g_autoptr(VmemMemoryDevice) nvdimm = parse_device (nvdimm_xml);
  g_autoptr(VmemMemoryDevice) nvdimm2 = parse_device (nvdimm_xml);
  g_autoptr(VmemDimm) d1 = vmem_dimm_new ();
  g_autoptr(VmemDimm) d2 = vmem_dimm_new ();
  g_autoptr(VmemSgxEpc) s1 = vmem_sgx_epc_new ();

  g_assert_true (vmem_memory_device_equal (a, a));
  g_assert_true (vmem_memory_device_equal (a, b));
  g_assert_true (vmem_memory_device_equal (b, a));

  vmem_memory_device_set_size (b, vmem_memory_device_get_size (b) + 2 * MiB);
  g_assert_false (vmem_memory_device_equal (a, b));
  g_assert_false (vmem_memory_device_equal (b, a));
  vmem_memory_device_set_size (b, vmem_memory_device_get_size (a));
  g_assert_true (vmem_memory_device_equal (a, b));

  vmem_virtio_mem_set_block_size (VMEM_VIRTIO_MEM (b), 4 * MiB);
  g_assert_false (vmem_memory_device_equal (a, b));
  vmem_virtio_mem_set_block_size (VMEM_VIRTIO_MEM (b), 2 * MiB);
  g_assert_true (vmem_memory_device_equal (a, b));

  vmem_memory_device_set_alias (b, "ua-other");
  g_assert_false (vmem_memory_device_equal (a, b));
  vmem_memory_device_set_alias (b, "virtiomem0");
  g_assert_true (vmem_memory_device_equal (a, b));

  vmem_memory_device_set_node (b, 1);
  g_assert_false (vmem_memory_device_equal (a, b));
  vmem_memory_device_set_node (b, 0);

  vmem_memory_device_set_source_nodemask (b, NULL);
  g_assert_false (vmem_memory_device_equal (a, b));
  vmem_memory_device_set_source_nodemask (b, "1-3");
  g_assert_true (vmem_memory_device_equal (a, b));

  vmem_memory_device_set_address (b, NULL);
  g_assert_false (vmem_memory_device_equal (a, b));

  g_assert_true (vmem_memory_device_equal (nvdimm, nvdimm2));
  vmem_nvdimm_set_readonly (VMEM_NVDIMM (nvdimm2), FALSE);
  g_assert_false (vmem_memory_device_equal (nvdimm, nvdimm2));
  vmem_nvdimm_set_readonly (VMEM_NVDIMM (nvdimm2), TRUE);
  vmem_nvdimm_set_label_size (VMEM_NVDIMM (nvdimm2), 256 * KiB);
  g_assert_false (vmem_memory_device_equal (nvdimm, nvdimm2));
  vmem_nvdimm_set_label_size (VMEM_NVDIMM (nvdimm2), 128 * KiB);
  vmem_nvdimm_set_uuid (VMEM_NVDIMM (nvdimm2), NULL);
  g_assert_false (vmem_memory_device_equal (nvdimm, nvdimm2));

  /* Different models are never equal, even with the same fields. */
  g_assert_false (vmem_memory_device_equal (a, dimm));
  g_assert_true (vmem_memory_device_equal (VMEM_MEMORY_DEVICE (d1), VMEM_MEMORY_DEVICE (d2)));
  g_assert_false (vmem_memory_device_equal (VMEM_MEMORY_DEVICE (d1), VMEM_MEMORY_DEVICE (s1)));
}

/* Validation. */

static VmemMemoryDevice *
virtio_mem_new_kib (guint64 size_kib,
                    guint64 block_kib,
                    guint64 requested_kib)
{
  g_autofree char *xml =
    g_strdup_printf ("<memory model='virtio-mem'><target>"
                     "<size unit='KiB'>%" G_GUINT64_FORMAT "</size>"
                     "<node>0</node>"
                     "<block unit='KiB'>%" G_GUINT64_FORMAT "</block>"
                     "<requested unit='KiB'>%" G_GUINT64_FORMAT "</requested>"
                     "</target></memory>",
                     size_kib, block_kib, requested_kib);

  return parse_device (xml);
}

static void
assert_message_names (const GError *error,
                      guint64       bytes)
{
  g_autofree char *formatted = vmem_size_format (bytes);

  if (!test_message_names_size (error->message, bytes, formatted))
    g_error ("the message '%s' does not name %" G_GUINT64_FORMAT " bytes (%s)",
             error->message, bytes, formatted);
}

typedef struct
{
  guint64     size_kib;
  guint64     block_kib;
  guint64     requested_kib;
  int         code;         /* -1: valid */
  const char *why;
} VirtioMemCase;

static const VirtioMemCase virtio_mem_cases[] = {
  { 1048576, 2048, 524288, -1, "valid" },
  { 1048576, 2048, 0, -1, "requested 0" },
  { 1048576, 2048, 1048576, -1, "requested == size" },
  { 1048576, 1048576, 1048576, -1, "block == size" },
  { 4194304, 1048576, 2097152, -1, "1 GiB blocks" },
  { 3072 * 100, 3072, 0, VMEM_ERROR_NOT_ALIGNED, "block not a power of two" },
  { 1048576, 2048, 3072, VMEM_ERROR_NOT_ALIGNED, "requested not a multiple of block" },
  { 1048576, 2048, 1, VMEM_ERROR_NOT_ALIGNED, "requested 1 KiB" },
  { 1048576, 2048, 1050624, VMEM_ERROR_OUT_OF_RANGE, "requested > size" },
  { 1049600, 2048, 0, VMEM_ERROR_NOT_ALIGNED, "size not a multiple of block" },
  { 1049600, 2048, 524288, VMEM_ERROR_NOT_ALIGNED, "size not a multiple of block, requested fine" },
};

static void
test_virtio_mem_validate (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (virtio_mem_cases); i++)
    {
      const VirtioMemCase *c = &virtio_mem_cases[i];
      g_autoptr(VmemMemoryDevice) device = virtio_mem_new_kib (c->size_kib, c->block_kib, c->requested_kib);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s: size %" G_GUINT64_FORMAT " KiB, block %" G_GUINT64_FORMAT
                      " KiB, requested %" G_GUINT64_FORMAT " KiB",
                      c->why, c->size_kib, c->block_kib, c->requested_kib);

      if (c->code < 0)
        {
          g_assert_true (vmem_memory_device_validate (device, &error));
          g_assert_no_error (error);
          continue;
        }

      g_assert_false (vmem_memory_device_validate (device, &error));
      g_assert_error (error, VMEM_ERROR, c->code);
      g_test_message ("message: %s", error->message);

      /* The message names the numbers at fault. */
      if (c->block_kib & (c->block_kib - 1))
        assert_message_names (error, c->block_kib * KiB);
      else if (c->requested_kib > c->size_kib)
        {
          assert_message_names (error, c->requested_kib * KiB);
          assert_message_names (error, c->size_kib * KiB);
        }
      else if (c->requested_kib % c->block_kib != 0)
        {
          assert_message_names (error, c->requested_kib * KiB);
          assert_message_names (error, c->block_kib * KiB);
        }
      else
        {
          assert_message_names (error, c->size_kib * KiB);
          assert_message_names (error, c->block_kib * KiB);
        }
    }
}

static void
test_virtio_mem_check_requested_size (void)
{
  g_autoptr(VmemMemoryDevice) device = virtio_mem_new_kib (1048576, 2048, 524288);
  g_autoptr(VmemMemoryDevice) odd_block = virtio_mem_new_kib (3072 * 100, 3072, 0);
  VmemVirtioMem *vm = VMEM_VIRTIO_MEM (device);
  static const struct {
    guint64 size;
    int     code;
  } cases[] = {
    { 0, -1 },
    { 2 * MiB, -1 },
    { 512 * MiB, -1 },
    { GiB - 2 * MiB, -1 },
    { GiB, -1 },
    { GiB + 2 * MiB, VMEM_ERROR_OUT_OF_RANGE },
    { 2 * GiB, VMEM_ERROR_OUT_OF_RANGE },
    { G_MAXUINT64 - (2 * MiB - 1), VMEM_ERROR_OUT_OF_RANGE },
    { 1 * MiB, VMEM_ERROR_NOT_ALIGNED },
    { 3 * MiB, VMEM_ERROR_NOT_ALIGNED },
    { 512 * MiB + 4 * KiB, VMEM_ERROR_NOT_ALIGNED },
    { 1, VMEM_ERROR_NOT_ALIGNED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("requested %" G_GUINT64_FORMAT " bytes", cases[i].size);
      if (cases[i].code < 0)
        {
          g_assert_true (vmem_virtio_mem_check_requested_size (vm, cases[i].size, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (vmem_virtio_mem_check_requested_size (vm, cases[i].size, &error));
          g_assert_error (error, VMEM_ERROR, cases[i].code);
          assert_message_names (error, cases[i].size);
          if (cases[i].code == VMEM_ERROR_OUT_OF_RANGE)
            assert_message_names (error, GiB);
          else
            assert_message_names (error, 2 * MiB);
        }
    }

  /* Checking never changes the device. */
  g_assert_cmpuint (vmem_virtio_mem_get_requested_size (vm), ==, 512 * MiB);

  /* A block size that is not a power of two makes every size wrong. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (vmem_virtio_mem_check_requested_size (VMEM_VIRTIO_MEM (odd_block),
                                                          3072 * KiB, &error));
    g_assert_error (error, VMEM_ERROR, VMEM_ERROR_NOT_ALIGNED);
    assert_message_names (error, 3072 * KiB);
  }
}

static VmemMemoryDevice *
valid_nvdimm (void)
{
  return parse_device ("<memory model='nvdimm'><source><path>/tmp/nvdimm</path></source>"
                       "<target><size unit='KiB'>524288</size><node>0</node>"
                       "<label><size unit='KiB'>128</size></label></target>"
                       "<address type='dimm' slot='0'/></memory>");
}

static void
assert_invalid (VmemMemoryDevice *device,
                int               code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vmem_memory_device_validate (device, &error));
  g_assert_error (error, VMEM_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
assert_valid (VmemMemoryDevice *device)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmem_memory_device_validate (device, &error));
  g_assert_no_error (error);
}

static void
test_nvdimm_validate (void)
{
  g_autoptr(VmemMemoryDevice) device = valid_nvdimm ();
  VmemNvdimm *nvdimm = VMEM_NVDIMM (device);

  assert_valid (device);

  /* The backing file is required. */
  vmem_memory_device_set_source_path (device, NULL);
  assert_invalid (device, VMEM_ERROR_INVALID_CONFIG);
  vmem_memory_device_set_source_path (device, "/tmp/nvdimm");
  assert_valid (device);

  /* No label at all is fine; a label is at least 128 KiB. */
  vmem_nvdimm_set_label_size (nvdimm, 0);
  assert_valid (device);
  vmem_nvdimm_set_label_size (nvdimm, 64 * KiB);
  assert_invalid (device, VMEM_ERROR_OUT_OF_RANGE);
  vmem_nvdimm_set_label_size (nvdimm, 128 * KiB - 1);
  assert_invalid (device, VMEM_ERROR_OUT_OF_RANGE);
  vmem_nvdimm_set_label_size (nvdimm, 128 * KiB);
  assert_valid (device);

  /* ... and smaller than the device. */
  vmem_nvdimm_set_label_size (nvdimm, 512 * MiB);
  assert_invalid (device, VMEM_ERROR_OUT_OF_RANGE);
  vmem_nvdimm_set_label_size (nvdimm, 1 * GiB);
  assert_invalid (device, VMEM_ERROR_OUT_OF_RANGE);
  vmem_nvdimm_set_label_size (nvdimm, 512 * MiB - KiB);
  assert_valid (device);
}

static void
test_virtio_pmem_validate (void)
{
  g_autoptr(VmemMemoryDevice) device = parse_device (virtio_pmem_xml);

  assert_valid (device);

  vmem_memory_device_set_source_path (device, NULL);
  assert_invalid (device, VMEM_ERROR_INVALID_CONFIG);
  vmem_memory_device_set_source_path (device, "/tmp/virtio_pmem");
  assert_valid (device);

  vmem_memory_device_set_access (device, VMEM_MEMORY_ACCESS_DEFAULT);
  assert_invalid (device, VMEM_ERROR_INVALID_CONFIG);
  vmem_memory_device_set_access (device, VMEM_MEMORY_ACCESS_PRIVATE);
  assert_invalid (device, VMEM_ERROR_INVALID_CONFIG);
  vmem_memory_device_set_access (device, VMEM_MEMORY_ACCESS_SHARED);
  assert_valid (device);

  vmem_memory_device_set_node (device, 0);
  assert_invalid (device, VMEM_ERROR_INVALID_CONFIG);
  vmem_memory_device_set_node (device, -1);
  assert_valid (device);
}

static void
test_other_validate (void)
{
  g_autoptr(VmemMemoryDevice) dimm = parse_device (dimm_xml);
  g_autoptr(VmemMemoryDevice) sgx = parse_device (sgx_epc_xml);
  g_autoptr(VmemMemoryDevice) vm = parse_device (virtio_mem_xml);

  assert_valid (dimm);
  assert_valid (sgx);
  assert_valid (vm);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/device/dimm/properties", test_dimm_properties);
  g_test_add_func ("/device/nvdimm/properties", test_nvdimm_properties);
  g_test_add_func ("/device/virtio-pmem/properties", test_virtio_pmem_properties);
  g_test_add_func ("/device/virtio-mem/properties", test_virtio_mem_properties);
  g_test_add_func ("/device/sgx-epc/properties", test_sgx_epc_properties);
  g_test_add_func ("/device/defaults/from-xml", test_defaults_from_xml);
  g_test_add_func ("/device/defaults/new", test_defaults_new);
  g_test_add_func ("/device/new-from-xml/types", test_new_from_xml_types);
  g_test_add_func ("/device/new-from-xml/errors", test_new_from_xml_errors);
  g_test_add_func ("/device/address/pci", test_address_pci);
  g_test_add_func ("/device/address/dimm", test_address_dimm);
  g_test_add_func ("/device/address/other", test_address_other);
  g_test_add_func ("/device/address/format", test_address_format);

  g_test_add ("/device/notify/dimm", NotifyFixture, dimm_xml,
              notify_fixture_set_up, test_notify_properties, notify_fixture_tear_down);
  g_test_add ("/device/notify/nvdimm", NotifyFixture, nvdimm_xml,
              notify_fixture_set_up, test_notify_properties, notify_fixture_tear_down);
  g_test_add ("/device/notify/virtio-pmem", NotifyFixture, virtio_pmem_xml,
              notify_fixture_set_up, test_notify_properties, notify_fixture_tear_down);
  g_test_add ("/device/notify/virtio-mem", NotifyFixture, virtio_mem_xml,
              notify_fixture_set_up, test_notify_properties, notify_fixture_tear_down);
  g_test_add ("/device/notify/sgx-epc", NotifyFixture, sgx_epc_xml,
              notify_fixture_set_up, test_notify_properties, notify_fixture_tear_down);
  g_test_add ("/device/notify/setters", NotifyFixture, virtio_mem_xml,
              notify_fixture_set_up, test_notify_setters, notify_fixture_tear_down);

  g_test_add_func ("/device/xml/unknown-kept", test_xml_unknown_kept);
  g_test_add_func ("/device/xml/units", test_xml_units);
  g_test_add_func ("/device/xml/size-errors", test_xml_size_errors);
  g_test_add_func ("/device/xml/round-trip", test_xml_round_trip);
  g_test_add_func ("/device/xml/recent-fields", test_xml_recent_fields);
  g_test_add_func ("/device/equal", test_equal);

  g_test_add_func ("/device/virtio-mem/validate", test_virtio_mem_validate);
  g_test_add_func ("/device/virtio-mem/check-requested-size", test_virtio_mem_check_requested_size);
  g_test_add_func ("/device/nvdimm/validate", test_nvdimm_validate);
  g_test_add_func ("/device/virtio-pmem/validate", test_virtio_pmem_validate);
  g_test_add_func ("/device/validate/other", test_other_validate);

  return g_test_run ();
}
