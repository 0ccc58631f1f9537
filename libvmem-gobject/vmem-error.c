/* vmem-error.c: the error domain of libvmem-gobject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-error.h"
#include "vmem-private.h"

/**
 * SECTION:vmem-error
 * @Title: Errors
 * @Short_description: The error domain and its codes
 *
 * Every function of the library that can fail reports a #GError in the
 * %VMEM_ERROR domain, with a #VmemError code that says what went wrong
 * and a message that says where. Where the failure came from libvirt,
 * vmem_error_get_libvirt_code() gives libvirt's own error code as well.
 */

typedef struct
{
  int libvirt_code;
  int libvirt_domain;
} VmemErrorPrivate;

static void
vmem_error_private_init (VmemErrorPrivate *priv)
{
  priv->libvirt_code = 0;
  priv->libvirt_domain = 0;
}

static void
vmem_error_private_copy (const VmemErrorPrivate *src,
                         VmemErrorPrivate       *dest)
{
  *dest = *src;
}

static void
vmem_error_private_clear (VmemErrorPrivate *priv)
{
}

/**
 * vmem_error_quark:
 *
 * The quark of the %VMEM_ERROR domain.
 *
 * Returns: the error quark
 *
 * Since: 0.1
 */
G_DEFINE_EXTENDED_ERROR (VmemError, vmem_error)

/**
 * vmem_error_get_libvirt_code:
 * @error: a #GError
 *
 * Gives libvirt's own error code (a `virErrorNumber`) behind an error of
 * the %VMEM_ERROR domain that came from libvirt.
 *
 * Returns: libvirt's error code, or 0 (`VIR_ERR_OK`) when @error is not in
 *   the %VMEM_ERROR domain or did not come from libvirt
 *
 * Since: 0.1
 */
int
vmem_error_get_libvirt_code (const GError *error)
{
  VmemErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, 0);

  priv = vmem_error_get_private (error);
  return priv != NULL ? priv->libvirt_code : 0;
}

void
_vmem_error_set_libvirt (GError *error,
                         int     code,
                         int     domain)
{
  VmemErrorPrivate *priv = vmem_error_get_private (error);

  g_return_if_fail (priv != NULL);

  priv->libvirt_code = code;
  priv->libvirt_domain = domain;
}
