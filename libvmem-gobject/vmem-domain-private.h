/* vmem-domain-private.h: what the connection and the devices use of a domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The event path runs one way: VmemConnection makes the domains, reads
 * them off the application's context and hands each domain its reads and
 * events; the domain updates its devices and figures and emits its
 * signals. The command path runs one way too: a device's command goes to
 * its domain, which runs the libvirt call on a worker with copies of its
 * inputs. A domain never calls into its connection's internals, and a
 * device never into its domain's, other than through this header's
 * command functions.
 */

#pragma once

#include "vmem-libvirt-private.h"
#include "vmem-domain.h"

G_BEGIN_DECLS

/* A domain as read off the application's context: its live XML (the
 * configuration of a stopped domain) and its state. */
typedef struct
{
  virDomainPtr      dom;
  VmemDomainConfig *config;
  VmemDomainState   state;
} VmemDomainRead;

VmemDomainRead   *_vmem_domain_read_new           (virDomainPtr      dom,
                                                   GError          **error);
VmemDomainRead   *_vmem_domain_read_new_after_event (virDomainPtr dom,
                                                     int          event,
                                                     GError     **error);
VmemDomainRead   *_vmem_domain_read_new_take      (virDomainPtr      dom,
                                                   VmemDomainConfig *config,
                                                   VmemDomainState   state);
void              _vmem_domain_read_free          (gpointer          read);

/* For VmemConnection: the event path. @libvirt_version is the version of
 * the libvirt the connection talks to, whose rules the domain follows. */
VmemDomain       *_vmem_domain_new                (VmemConnection   *connection,
                                                   virDomainPtr      dom,
                                                   const char       *uuid,
                                                   gulong            libvirt_version);
void              _vmem_domain_set_vir_domain     (VmemDomain       *self,
                                                   virDomainPtr      dom,
                                                   gulong            libvirt_version);
void              _vmem_domain_apply_read         (VmemDomain       *self,
                                                   VmemDomainRead   *read);
VmemMemoryDevice *_vmem_domain_size_change_target (VmemDomain       *self,
                                                   const char       *alias);
void              _vmem_domain_handle_size_change (VmemDomain       *self,
                                                   VmemMemoryDevice *device,
                                                   guint64           size);
void              _vmem_domain_handle_lifecycle   (VmemDomain       *self,
                                                   int               event,
                                                   int               detail);
void              _vmem_domain_handle_device      (VmemDomain       *self,
                                                   int               event_id,
                                                   const char       *alias);
void              _vmem_domain_handle_closed      (VmemDomain       *self);
void              _vmem_domain_queue_refresh      (VmemDomain       *self);

/* For the devices and the autosize policy: the domain's libvirt handle,
 * with a reference, for a worker thread; a VMEM_ERROR_CLOSED or
 * VMEM_ERROR_NOT_FOUND error when there is none. */
virDomainPtr      _vmem_domain_dup_vir_domain     (VmemDomain       *self,
                                                   GError          **error);

/* For the devices: the command path. */
gboolean          _vmem_domain_set_requested_size        (VmemDomain          *self,
                                                          VmemMemoryDevice    *device,
                                                          guint64              size,
                                                          VmemAffectFlags      flags,
                                                          GError             **error);
void              _vmem_domain_set_requested_size_async  (VmemDomain          *self,
                                                          VmemMemoryDevice    *device,
                                                          guint64              size,
                                                          VmemAffectFlags      flags,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          _vmem_domain_set_requested_size_finish (VmemDomain          *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
