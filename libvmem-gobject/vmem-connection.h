/* vmem-connection.h: a connection to libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vmem-version-macros.h"
#include "vmem-enums.h"

G_BEGIN_DECLS

/**
 * VMEM_TYPE_CONNECTION:
 *
 * The #GType of #VmemConnection.
 *
 * Since: 0.1
 */
#define VMEM_TYPE_CONNECTION (vmem_connection_get_type ())

VMEM_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (VmemConnection, vmem_connection, VMEM, CONNECTION, GObject)

#ifndef __GTK_DOC_IGNORE__
typedef struct _VmemDomain VmemDomain;
#endif

VMEM_AVAILABLE_IN_0_1
VmemConnection *vmem_connection_new                 (const char           *uri);
VMEM_AVAILABLE_IN_0_1
const char     *vmem_connection_get_uri             (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
gboolean        vmem_connection_is_open             (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
void            vmem_connection_set_keepalive       (VmemConnection       *self,
                                                     guint                 interval,
                                                     guint                 count);
VMEM_AVAILABLE_IN_0_1
guint           vmem_connection_get_keepalive_interval (VmemConnection    *self);
VMEM_AVAILABLE_IN_0_1
guint           vmem_connection_get_keepalive_count (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
void            vmem_connection_set_open_timeout    (VmemConnection       *self,
                                                     guint                 seconds);
VMEM_AVAILABLE_IN_0_1
guint           vmem_connection_get_open_timeout    (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
guint           vmem_connection_get_libvirt_version (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
gboolean        vmem_connection_open                (VmemConnection       *self,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
VMEM_AVAILABLE_IN_0_1
void            vmem_connection_open_async          (VmemConnection       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
VMEM_AVAILABLE_IN_0_1
gboolean        vmem_connection_open_finish         (VmemConnection       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
VMEM_AVAILABLE_IN_0_1
void            vmem_connection_close               (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
VmemDomain     *vmem_connection_lookup_domain       (VmemConnection       *self,
                                                     const char           *name_or_uuid,
                                                     GError              **error);
VMEM_AVAILABLE_IN_0_1
void            vmem_connection_lookup_domain_async (VmemConnection       *self,
                                                     const char           *name_or_uuid,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
VMEM_AVAILABLE_IN_0_1
VmemDomain     *vmem_connection_lookup_domain_finish (VmemConnection      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
VMEM_AVAILABLE_IN_0_1
GListModel     *vmem_connection_get_domains         (VmemConnection       *self);
VMEM_AVAILABLE_IN_0_1
VmemDomain     *vmem_connection_find_domain         (VmemConnection       *self,
                                                     const char           *name_or_uuid);

G_END_DECLS
