/* vmem-virtio-pmem.c: a virtio-pmem memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-virtio-pmem.h"

#include "vmem-error.h"
#include "vmem-memory-device-private.h"

/**
 * SECTION:vmem-virtio-pmem
 * @Title: VmemVirtioPmem
 * @Short_description: A virtio-pmem memory device
 *
 * A virtio-pmem device gives the guest a file of the host as persistent
 * memory on a PCI address. libvirt requires a #VmemMemoryDevice:source-path
 * and shared access, and it belongs to no NUMA node.
 */

/**
 * VmemVirtioPmem:
 *
 * A memory device of model %VMEM_MEMORY_MODEL_VIRTIO_PMEM.
 *
 * Since: 0.1
 */
struct _VmemVirtioPmem
{
  VmemMemoryDevice parent_instance;

  guint64 address_base;
};

G_DEFINE_FINAL_TYPE (VmemVirtioPmem, vmem_virtio_pmem, VMEM_TYPE_MEMORY_DEVICE)

enum {
  PROP_0,
  PROP_ADDRESS_BASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
vmem_virtio_pmem_parse (VmemMemoryDevice  *device,
                        VmemXmlNode       *memory,
                        VmemXmlNode       *target,
                        GError           **error)
{
  VmemVirtioPmem *self = VMEM_VIRTIO_PMEM (device);

  return target == NULL ||
         _vmem_memory_device_parse_target_address (target, &self->address_base, error);
}

static void
vmem_virtio_pmem_write_target (VmemMemoryDevice *device,
                               VmemXmlWriter    *w)
{
  _vmem_memory_device_write_target_address (w, VMEM_VIRTIO_PMEM (device)->address_base);
}

static void
vmem_virtio_pmem_update_from (VmemMemoryDevice *device,
                              VmemMemoryDevice *other)
{
  vmem_virtio_pmem_set_address_base (VMEM_VIRTIO_PMEM (device),
                                     VMEM_VIRTIO_PMEM (other)->address_base);
}

static const VmemMemoryDeviceOps vmem_virtio_pmem_ops = {
  .model = VMEM_MEMORY_MODEL_VIRTIO_PMEM,
  .parse = vmem_virtio_pmem_parse,
  .write_target = vmem_virtio_pmem_write_target,
  .update_from = vmem_virtio_pmem_update_from,
};

static gboolean
vmem_virtio_pmem_validate (VmemMemoryDevice  *device,
                           GError           **error)
{
  if (!VMEM_MEMORY_DEVICE_CLASS (vmem_virtio_pmem_parent_class)->validate (device, error))
    return FALSE;

  /* libvirt's rules and messages (virDomainMemoryDefValidate). */
  if (vmem_memory_device_get_source_path (device) == NULL)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "path is required for model 'virtio-pmem'");
      return FALSE;
    }

  if (vmem_memory_device_get_discard (device) == VMEM_TRISTATE_YES)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "discard is not supported for model 'virtio-pmem'");
      return FALSE;
    }

  if (vmem_memory_device_get_access (device) != VMEM_MEMORY_ACCESS_SHARED)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "shared access mode required for virtio-pmem device");
      return FALSE;
    }

  if (vmem_memory_device_get_node (device) != -1)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_CONFIG,
                           "virtio-pmem does not support NUMA nodes");
      return FALSE;
    }

  return TRUE;
}

static void
vmem_virtio_pmem_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  VmemVirtioPmem *self = VMEM_VIRTIO_PMEM (object);

  switch (prop_id)
    {
    case PROP_ADDRESS_BASE:
      g_value_set_uint64 (value, self->address_base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_virtio_pmem_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  VmemVirtioPmem *self = VMEM_VIRTIO_PMEM (object);

  switch (prop_id)
    {
    case PROP_ADDRESS_BASE:
      vmem_virtio_pmem_set_address_base (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmem_virtio_pmem_class_init (VmemVirtioPmemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmemMemoryDeviceClass *device_class = VMEM_MEMORY_DEVICE_CLASS (klass);

  object_class->get_property = vmem_virtio_pmem_get_property;
  object_class->set_property = vmem_virtio_pmem_set_property;

  device_class->validate = vmem_virtio_pmem_validate;
  _vmem_memory_device_class_set_ops (device_class, &vmem_virtio_pmem_ops);

  /**
   * VmemVirtioPmem:address-base:
   *
   * The guest physical address the device's region starts at
   * (`<target><address base=.../>`, libvirt 9.4 and later), or 0 to let
   * the hypervisor choose. Older libvirt ignores the element and leaves it
   * out of the XML it writes; the library reads it and writes it back all
   * the same.
   *
   * Since: 0.1
   */
  properties[PROP_ADDRESS_BASE] =
    g_param_spec_uint64 ("address-base", "Address base",
                         "The guest physical address the device's region starts at (<target><address base=.../>), or 0 to let the hypervisor choose",
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vmem_virtio_pmem_init (VmemVirtioPmem *self)
{
}

/**
 * vmem_virtio_pmem_new:
 *
 * Creates an empty device of this model, to fill in and hot-plug. It
 * starts with shared access, as libvirt requires.
 *
 * Returns: (transfer full): a new #VmemVirtioPmem
 *
 * Since: 0.1
 */
VmemVirtioPmem *
vmem_virtio_pmem_new (void)
{
  return g_object_new (VMEM_TYPE_VIRTIO_PMEM,
                       "access", VMEM_MEMORY_ACCESS_SHARED,
                       NULL);
}

/**
 * vmem_virtio_pmem_get_address_base:
 * @self: a #VmemVirtioPmem
 *
 * Gives the #VmemVirtioPmem:address-base of the device.
 *
 * Returns: the base address, or 0
 *
 * Since: 0.1
 */
guint64
vmem_virtio_pmem_get_address_base (VmemVirtioPmem *self)
{
  g_return_val_if_fail (VMEM_IS_VIRTIO_PMEM (self), 0);

  return self->address_base;
}

/**
 * vmem_virtio_pmem_set_address_base:
 * @self: a #VmemVirtioPmem
 * @base: the base address, or 0
 *
 * Sets the #VmemVirtioPmem:address-base of the device.
 *
 * Since: 0.1
 */
void
vmem_virtio_pmem_set_address_base (VmemVirtioPmem *self,
                                   guint64         base)
{
  g_return_if_fail (VMEM_IS_VIRTIO_PMEM (self));
  if (!_vmem_memory_device_is_editable (VMEM_MEMORY_DEVICE (self)))
    return;

  if (self->address_base != base)
    {
      self->address_base = base;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS_BASE]);
    }
}
