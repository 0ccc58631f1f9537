/* vmem-libvirt-private.h: what the live classes share about libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vmem-enums.h"

G_BEGIN_DECLS

/* Errors. */
void     _vmem_set_error_from_libvirt (GError          **error,
                                       const char       *format,
                                       ...) G_GNUC_PRINTF (2, 3);
void     _vmem_set_open_error_from_libvirt (GError    **error,
                                            const char *uri);

/* libvirt's rules that changed between the releases the library supports
 * follow the libvirt a connection talks to, by its version as
 * virConnectGetLibVersion() gives it: major * 1,000,000 + minor * 1,000 +
 * release; 0 when not known, which is taken as the oldest. */
#define VMEM_LIBVIRT_VERSION(major, minor, release) \
  ((gulong) (major) * 1000000 + (minor) * 1000 + (release))

gboolean _vmem_libvirt_model_takes_slot (gulong           libvirt_version,
                                         VmemMemoryModel  model);
void     _vmem_libvirt_set_slots_error  (GError         **error,
                                         gulong           libvirt_version,
                                         guint            n_devices,
                                         guint            slots);

/* The process-wide libvirt event loop. */
void     _vmem_event_loop_ensure      (void);

void     _vmem_task_run_in_thread     (GTask            *task,
                                       GTaskThreadFunc   task_func);

G_END_DECLS
