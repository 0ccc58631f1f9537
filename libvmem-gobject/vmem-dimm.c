/* vmem-dimm.c: A pc-dimm memory device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-dimm.h"

#include "vmem-memory-device-private.h"

/**
 * SECTION:vmem-dimm
 * @Title: VmemDimm
 * @Short_description: A pc-dimm memory device
 *
 * A DIMM is plugged into a slot of the guest and unplugged whole. Its
 * #VmemMemoryDevice:address is a DIMM slot; its backing memory may come
 * from given host NUMA nodes and page sizes.
 */

/**
 * VmemDimm:
 *
 * A memory device of model %VMEM_MEMORY_MODEL_DIMM.
 *
 * Since: 0.1
 */
struct _VmemDimm
{
  VmemMemoryDevice parent_instance;
};

G_DEFINE_FINAL_TYPE (VmemDimm, vmem_dimm, VMEM_TYPE_MEMORY_DEVICE)

static const VmemMemoryDeviceOps vmem_dimm_ops = {
  .model = VMEM_MEMORY_MODEL_DIMM,
};

static void
vmem_dimm_class_init (VmemDimmClass *klass)
{
  _vmem_memory_device_class_set_ops (VMEM_MEMORY_DEVICE_CLASS (klass), &vmem_dimm_ops);
}

static void
vmem_dimm_init (VmemDimm *self)
{
}

/**
 * vmem_dimm_new:
 *
 * Creates an empty device of this model, to fill in and hot-plug.
 *
 * Returns: (transfer full): a new #VmemDimm
 *
 * Since: 0.1
 */
VmemDimm *
vmem_dimm_new (void)
{
  return g_object_new (VMEM_TYPE_DIMM, NULL);
}
