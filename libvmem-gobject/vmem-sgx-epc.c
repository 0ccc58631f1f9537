/* vmem-sgx-epc.c: An SGX enclave page cache device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-sgx-epc.h"

#include "vmem-memory-device-private.h"

/**
 * SECTION:vmem-sgx-epc
 * @Title: VmemSgxEpc
 * @Short_description: An SGX enclave page cache device
 *
 * Intel Software Guard Extensions enclave page cache, offered to a guest
 * NUMA node. It cannot be hot-plugged.
 */

/**
 * VmemSgxEpc:
 *
 * A memory device of model %VMEM_MEMORY_MODEL_SGX_EPC.
 *
 * Since: 0.1
 */
struct _VmemSgxEpc
{
  VmemMemoryDevice parent_instance;
};

G_DEFINE_FINAL_TYPE (VmemSgxEpc, vmem_sgx_epc, VMEM_TYPE_MEMORY_DEVICE)

static const VmemMemoryDeviceOps vmem_sgx_epc_ops = {
  .model = VMEM_MEMORY_MODEL_SGX_EPC,
};

static void
vmem_sgx_epc_class_init (VmemSgxEpcClass *klass)
{
  _vmem_memory_device_class_set_ops (VMEM_MEMORY_DEVICE_CLASS (klass), &vmem_sgx_epc_ops);
}

static void
vmem_sgx_epc_init (VmemSgxEpc *self)
{
}

/**
 * vmem_sgx_epc_new:
 *
 * Creates an empty device of this model, to fill in and hot-plug.
 *
 * Returns: (transfer full): a new #VmemSgxEpc
 *
 * Since: 0.1
 */
VmemSgxEpc *
vmem_sgx_epc_new (void)
{
  return g_object_new (VMEM_TYPE_SGX_EPC, NULL);
}
