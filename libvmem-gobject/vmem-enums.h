/* vmem-enums.h: enumerations of libvmem-gobject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * SECTION:vmem-enums
 * @Title: Enumerations
 * @Short_description: The enumerated values of memory devices
 *
 * The enumerations used by the memory-device classes. Each value's nick
 * is the word libvirt's domain XML uses for it, so
 * g_enum_get_value_by_nick() maps between the two.
 */

/**
 * VmemMemoryModel:
 * @VMEM_MEMORY_MODEL_DIMM: a pc-dimm, plugged and unplugged whole
 * @VMEM_MEMORY_MODEL_NVDIMM: an emulated NVDIMM backed by a file
 * @VMEM_MEMORY_MODEL_VIRTIO_PMEM: a virtio-pmem device backed by a file
 * @VMEM_MEMORY_MODEL_VIRTIO_MEM: a virtio-mem device, resizable in blocks
 * @VMEM_MEMORY_MODEL_SGX_EPC: Intel SGX enclave page cache
 *
 * The model of a memory device, the `model` attribute of libvirt's
 * `<memory>` element.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_MEMORY_MODEL_DIMM,
  VMEM_MEMORY_MODEL_NVDIMM,
  VMEM_MEMORY_MODEL_VIRTIO_PMEM,
  VMEM_MEMORY_MODEL_VIRTIO_MEM,
  VMEM_MEMORY_MODEL_SGX_EPC,
} VmemMemoryModel;

/**
 * VmemMemoryAccess:
 * @VMEM_MEMORY_ACCESS_DEFAULT: no `access` attribute: the hypervisor's default
 * @VMEM_MEMORY_ACCESS_SHARED: the backing memory is shared
 * @VMEM_MEMORY_ACCESS_PRIVATE: the backing memory is private
 *
 * How the guest's memory is mapped on the host, the `access` attribute.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_MEMORY_ACCESS_DEFAULT,
  VMEM_MEMORY_ACCESS_SHARED,
  VMEM_MEMORY_ACCESS_PRIVATE,
} VmemMemoryAccess;

/**
 * VmemTristate:
 * @VMEM_TRISTATE_DEFAULT: the attribute is absent: the hypervisor decides
 * @VMEM_TRISTATE_YES: the attribute is `yes`
 * @VMEM_TRISTATE_NO: the attribute is `no`
 *
 * A yes/no attribute that may also be absent, such as `discard`.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_TRISTATE_DEFAULT,
  VMEM_TRISTATE_YES,
  VMEM_TRISTATE_NO,
} VmemTristate;

/**
 * VmemAddressType:
 * @VMEM_ADDRESS_TYPE_NONE: no address
 * @VMEM_ADDRESS_TYPE_PCI: a PCI address (domain, bus, slot, function)
 * @VMEM_ADDRESS_TYPE_DIMM: a DIMM slot, with an optional base address
 * @VMEM_ADDRESS_TYPE_OTHER: another address type, kept as written
 *
 * The kind of a device address, the `type` attribute of `<address>`.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_ADDRESS_TYPE_NONE,
  VMEM_ADDRESS_TYPE_PCI,
  VMEM_ADDRESS_TYPE_DIMM,
  VMEM_ADDRESS_TYPE_OTHER,
} VmemAddressType;

/**
 * VmemAffectFlags:
 * @VMEM_AFFECT_CURRENT: the running domain if it runs, else its
 *   persistent configuration
 * @VMEM_AFFECT_LIVE: the running domain
 * @VMEM_AFFECT_CONFIG: the persistent configuration, used at the next boot
 *
 * What a change applies to, as libvirt's `VIR_DOMAIN_AFFECT_*` flags.
 * %VMEM_AFFECT_LIVE and %VMEM_AFFECT_CONFIG may be combined.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  VMEM_AFFECT_CURRENT = 0,
  VMEM_AFFECT_LIVE    = 1 << 0,
  VMEM_AFFECT_CONFIG  = 1 << 1,
} VmemAffectFlags;

/**
 * VmemDomainState:
 * @VMEM_DOMAIN_STATE_NOSTATE: no state
 * @VMEM_DOMAIN_STATE_RUNNING: running
 * @VMEM_DOMAIN_STATE_BLOCKED: blocked on a resource
 * @VMEM_DOMAIN_STATE_PAUSED: paused
 * @VMEM_DOMAIN_STATE_SHUTDOWN: being shut down
 * @VMEM_DOMAIN_STATE_SHUTOFF: shut off, not running
 * @VMEM_DOMAIN_STATE_CRASHED: crashed
 * @VMEM_DOMAIN_STATE_PMSUSPENDED: suspended by guest power management
 *
 * The state of a domain, as libvirt's `virDomainState`.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_DOMAIN_STATE_NOSTATE,
  VMEM_DOMAIN_STATE_RUNNING,
  VMEM_DOMAIN_STATE_BLOCKED,
  VMEM_DOMAIN_STATE_PAUSED,
  VMEM_DOMAIN_STATE_SHUTDOWN,
  VMEM_DOMAIN_STATE_SHUTOFF,
  VMEM_DOMAIN_STATE_CRASHED,
  VMEM_DOMAIN_STATE_PMSUSPENDED,
} VmemDomainState;

/**
 * VmemCloseReason:
 * @VMEM_CLOSE_REASON_ERROR: an I/O error on the connection
 * @VMEM_CLOSE_REASON_EOF: the other end closed the connection (the daemon
 *   went away)
 * @VMEM_CLOSE_REASON_KEEPALIVE: the daemon stopped answering keepalive
 *   messages
 * @VMEM_CLOSE_REASON_CLIENT: the application closed the connection
 *
 * Why a connection closed, as libvirt's `virConnectCloseReason`.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_CLOSE_REASON_ERROR,
  VMEM_CLOSE_REASON_EOF,
  VMEM_CLOSE_REASON_KEEPALIVE,
  VMEM_CLOSE_REASON_CLIENT,
} VmemCloseReason;

/**
 * VmemAutosizeAction:
 * @VMEM_AUTOSIZE_HOLD: no change: the guest's available memory is inside
 *   the band, or a limit leaves no room to move
 * @VMEM_AUTOSIZE_GROW: a virtio-mem device is asked to plug more
 * @VMEM_AUTOSIZE_SHRINK: a virtio-mem device is asked to unplug some
 * @VMEM_AUTOSIZE_STOP: the policy stopped: asked to, or it cannot go on
 *   (the domain stopped, its statistics cannot be read, every device
 *   stalled)
 *
 * What a #VmemAutosize decided, as its #VmemAutosize::decision signal
 * says.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_AUTOSIZE_HOLD,
  VMEM_AUTOSIZE_GROW,
  VMEM_AUTOSIZE_SHRINK,
  VMEM_AUTOSIZE_STOP,
} VmemAutosizeAction;

G_END_DECLS
