/* vmem-libvirt-private.h: what the live classes share about libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>


G_BEGIN_DECLS

/* Errors. */
void     _vmem_set_error_from_libvirt (GError          **error,
                                       const char       *format,
                                       ...) G_GNUC_PRINTF (2, 3);
void     _vmem_set_open_error_from_libvirt (GError    **error,
                                            const char *uri);

/* The process-wide libvirt event loop. */
void     _vmem_event_loop_ensure      (void);

void     _vmem_task_run_in_thread     (GTask            *task,
                                       GTaskThreadFunc   task_func);

G_END_DECLS
