/* vmem-domain-config-private.h: reading XML that libvirt wrote
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "vmem-domain-config.h"

G_BEGIN_DECLS

VmemDomainConfig *_vmem_domain_config_new_from_libvirt_xml (const char  *xml,
                                                            gsize        length,
                                                            GError     **error);
/* The fast reader alone, without the fallback: for the tests that compare
 * the two readers (tests/test-readers.c, tests/fuzz/). */
VmemDomainConfig *_vmem_domain_config_new_from_libvirt_xml_only (const char *xml,
                                                                 gsize       length);

/* For VmemDomain: the devices of a read become its live devices. */
GPtrArray        *_vmem_domain_config_take_memory_devices (VmemDomainConfig *self);
VmemDomainConfig *_vmem_domain_config_copy_with_devices   (VmemDomainConfig *self,
                                                           GListModel       *devices);

G_END_DECLS
