/* vmem.h: libvmem-gobject, GObject classes for libvirt memory devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define __VMEM_INSIDE__

#include "vmem-version.h"
#include "vmem-version-macros.h"
#include "vmem-enums.h"
#include "vmem-enum-types.h"
#include "vmem-error.h"
#include "vmem-size.h"
#include "vmem-device-address.h"
#include "vmem-memory-device.h"
#include "vmem-dimm.h"
#include "vmem-nvdimm.h"
#include "vmem-virtio-pmem.h"
#include "vmem-virtio-mem.h"
#include "vmem-sgx-epc.h"
#include "vmem-numa-cell.h"
#include "vmem-domain-config.h"
#include "vmem-memory-usage.h"
#include "vmem-connection.h"
#include "vmem-domain.h"
#include "vmem-autosize.h"

#undef __VMEM_INSIDE__
