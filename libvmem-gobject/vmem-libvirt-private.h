/* vmem-libvirt-private.h: what the live classes share about libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vmem-connection.h"
#include "vmem-domain.h"
#include "vmem-domain-config.h"
#include "vmem-virtio-mem.h"

G_BEGIN_DECLS

/* Errors. */
void     _vmem_set_error_from_libvirt (GError          **error,
                                       const char       *format,
                                       ...) G_GNUC_PRINTF (2, 3);

/* The process-wide libvirt event loop. */
void     _vmem_event_loop_ensure      (void);

void     _vmem_task_run_in_thread     (GTask            *task,
                                       GTaskThreadFunc   task_func);

/* VmemConnection, for VmemDomain. */
virConnectPtr _vmem_connection_dup_vir_connect (VmemConnection  *self,
                                                GError         **error);
VmemDomain   *_vmem_connection_get_domain      (VmemConnection  *self,
                                                virDomainPtr     dom,
                                                const char      *uuid);
void          _vmem_connection_forget_domain   (VmemConnection  *self,
                                                VmemDomain      *domain);

/* VmemDomain, for VmemConnection and the devices. */
VmemDomain       *_vmem_domain_new                (VmemConnection   *connection,
                                                   virDomainPtr      dom,
                                                   const char       *uuid);
virDomainPtr      _vmem_domain_dup_vir_domain     (VmemDomain       *self,
                                                   GError          **error);
void              _vmem_domain_set_vir_domain     (VmemDomain       *self,
                                                   virDomainPtr      dom);
VmemDomainConfig *_vmem_domain_fetch_config       (virDomainPtr      dom,
                                                   gboolean          inactive,
                                                   GError          **error);
VmemDomainConfig *_vmem_domain_read               (virDomainPtr      dom,
                                                   VmemDomainState  *out_state,
                                                   GError          **error);
void              _vmem_domain_apply_config       (VmemDomain       *self,
                                                   VmemDomainConfig *config,
                                                   VmemDomainState   state);
void              _vmem_domain_queue_refresh      (VmemDomain       *self);
void              _vmem_domain_handle_size_change (VmemDomain       *self,
                                                   const char       *alias,
                                                   guint64           size);
void              _vmem_domain_handle_lifecycle   (VmemDomain       *self,
                                                   int               event,
                                                   int               detail);
void              _vmem_domain_handle_device      (VmemDomain       *self,
                                                   int               event_id,
                                                   const char       *alias);
void              _vmem_domain_handle_closed      (VmemDomain       *self);
gboolean          _vmem_domain_update_requested_size (VmemDomain              *self,
                                                      const char              *alias,
                                                      const VmemDeviceAddress *address,
                                                      guint64                  size,
                                                      VmemAffectFlags          flags,
                                                      gboolean                *out_shown,
                                                      GError                 **error);

G_END_DECLS
