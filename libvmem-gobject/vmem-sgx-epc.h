/* vmem-sgx-epc.h: an SGX enclave page cache device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include "vmem-memory-device.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_SGX_EPC:
 *
 * The #GType of #VmemSgxEpc.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_SGX_EPC (vmem_sgx_epc_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemSgxEpc, vmem_sgx_epc, VMEM, SGX_EPC, VmemMemoryDevice)

VMEM_AVAILABLE_IN_0_1
VmemSgxEpc *vmem_sgx_epc_new (void);

G_END_DECLS
