/* vmem-error.h: the error domain of libvmem-gobject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib.h>

#include "vmem-version-macros.h"

G_BEGIN_DECLS

/**
 * VMEM_ERROR:
 *
 * The error domain of libvmem-gobject. Errors in this domain carry a
 * #VmemError code.
 *
 * Since: 0.1
 */
#define VMEM_ERROR (vmem_error_quark ())

/**
 * VmemError:
 * @VMEM_ERROR_FAILED: a failure no other code describes
 * @VMEM_ERROR_INVALID_XML: the XML is not well-formed, is not the
 *   expected element, or uses a construct that is refused (a DOCTYPE,
 *   entities)
 * @VMEM_ERROR_INVALID_SIZE: a size or number is not a valid non-negative
 *   integer, or its unit is unknown
 * @VMEM_ERROR_OVERFLOW: a size does not fit in 64 bits once scaled to bytes
 * @VMEM_ERROR_NOT_ALIGNED: a size is not a multiple of what it must be a
 *   multiple of (the block size of a virtio-mem device), or a block size is
 *   not a power of two
 * @VMEM_ERROR_OUT_OF_RANGE: a value lies outside the range allowed, such
 *   as a requested size over the device's maximum
 * @VMEM_ERROR_UNSUPPORTED_MODEL: the memory model is unknown, or is not
 *   the model the operation applies to
 * @VMEM_ERROR_INVALID_CONFIG: the domain configuration breaks one of
 *   libvirt's rules for memory devices
 * @VMEM_ERROR_NOT_FOUND: the domain or device does not exist
 * @VMEM_ERROR_NOT_SUPPORTED: the operation is not supported, for example
 *   by the connection's driver
 * @VMEM_ERROR_LIBVIRT: libvirt reported an error no other code describes;
 *   vmem_error_get_libvirt_code() gives libvirt's own code
 * @VMEM_ERROR_NOT_RUNNING: the operation needs a running domain, or the
 *   domain stopped while it was under way
 * @VMEM_ERROR_BUSY: the hypervisor or the guest refused for now: a
 *   device removal the guest did not complete, an operation timed out
 * @VMEM_ERROR_STALLED: the guest stopped making progress towards a
 *   requested size; the message says how far it got
 * @VMEM_ERROR_CLOSED: the connection is not open, or it closed
 * @VMEM_ERROR_AUTH_FAILED: libvirt refused the credentials or access
 * @VMEM_ERROR_UNREACHABLE: nothing answers at the URI's address: the
 *   connection was refused, or the host or network cannot be reached
 * @VMEM_ERROR_TIMED_OUT: the daemon did not answer in time, for example a
 *   listener that accepts a connection and never speaks; see
 *   #VmemConnection:open-timeout
 * @VMEM_ERROR_CERTIFICATE: a TLS certificate was refused or cannot be
 *   read: the daemon's is not signed by a trusted CA or does not name the
 *   host, or the client's files are missing
 * @VMEM_ERROR_HOST_KEY: the SSH host key is unknown or does not match
 *   the known one
 *
 * Error codes in the %VMEM_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  VMEM_ERROR_FAILED,
  VMEM_ERROR_INVALID_XML,
  VMEM_ERROR_INVALID_SIZE,
  VMEM_ERROR_OVERFLOW,
  VMEM_ERROR_NOT_ALIGNED,
  VMEM_ERROR_OUT_OF_RANGE,
  VMEM_ERROR_UNSUPPORTED_MODEL,
  VMEM_ERROR_INVALID_CONFIG,
  VMEM_ERROR_NOT_FOUND,
  VMEM_ERROR_NOT_SUPPORTED,
  VMEM_ERROR_LIBVIRT,
  VMEM_ERROR_NOT_RUNNING,
  VMEM_ERROR_BUSY,
  VMEM_ERROR_STALLED,
  VMEM_ERROR_CLOSED,
  VMEM_ERROR_AUTH_FAILED,
  VMEM_ERROR_UNREACHABLE,
  VMEM_ERROR_TIMED_OUT,
  VMEM_ERROR_CERTIFICATE,
  VMEM_ERROR_HOST_KEY,
} VmemError;

VMEM_AVAILABLE_IN_0_1
GQuark vmem_error_quark            (void);

VMEM_AVAILABLE_IN_0_1
int    vmem_error_get_libvirt_code (const GError *error);

G_END_DECLS
