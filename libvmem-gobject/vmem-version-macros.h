/* vmem-version-macros.h: symbol visibility and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__VMEM_INSIDE__) && !defined(VMEM_COMPILATION)
# error "Only <vmem.h> can be included directly."
#endif

#include <glib.h>

#include "vmem-version.h"

#ifndef _VMEM_EXTERN
# define _VMEM_EXTERN __attribute__((visibility("default"))) extern
#endif

/* Versions of the API, for VMEM_VERSION_MIN_REQUIRED and
 * VMEM_VERSION_MAX_ALLOWED. */
#define VMEM_VERSION_0_1 (VMEM_ENCODE_VERSION (0, 1, 0))

#define VMEM_VERSION_CUR_STABLE \
  (VMEM_ENCODE_VERSION (VMEM_MAJOR_VERSION, VMEM_MINOR_VERSION, 0))

#ifndef VMEM_VERSION_MIN_REQUIRED
# define VMEM_VERSION_MIN_REQUIRED (VMEM_VERSION_CUR_STABLE)
#endif

#ifndef VMEM_VERSION_MAX_ALLOWED
# define VMEM_VERSION_MAX_ALLOWED (VMEM_VERSION_CUR_STABLE)
#endif

#if VMEM_VERSION_MAX_ALLOWED < VMEM_VERSION_MIN_REQUIRED
# error "VMEM_VERSION_MAX_ALLOWED must be >= VMEM_VERSION_MIN_REQUIRED"
#endif

#define VMEM_AVAILABLE_IN_ALL _VMEM_EXTERN

#if VMEM_VERSION_MAX_ALLOWED < VMEM_VERSION_0_1
# define VMEM_AVAILABLE_IN_0_1 G_UNAVAILABLE (0, 1) _VMEM_EXTERN
#else
# define VMEM_AVAILABLE_IN_0_1 _VMEM_EXTERN
#endif
