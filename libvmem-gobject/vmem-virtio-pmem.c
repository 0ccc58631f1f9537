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
};

G_DEFINE_FINAL_TYPE (VmemVirtioPmem, vmem_virtio_pmem, VMEM_TYPE_MEMORY_DEVICE)

static const VmemMemoryDeviceOps vmem_virtio_pmem_ops = {
  .model = VMEM_MEMORY_MODEL_VIRTIO_PMEM,
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
vmem_virtio_pmem_class_init (VmemVirtioPmemClass *klass)
{
  VmemMemoryDeviceClass *device_class = VMEM_MEMORY_DEVICE_CLASS (klass);

  device_class->validate = vmem_virtio_pmem_validate;
  _vmem_memory_device_class_set_ops (device_class, &vmem_virtio_pmem_ops);
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
