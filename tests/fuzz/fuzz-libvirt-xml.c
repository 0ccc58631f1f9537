/* fuzz-libvirt-xml.c: libFuzzer harness for the reader of libvirt's own XML
 *
 * _vmem_domain_config_new_from_libvirt_xml() reads what a libvirt daemon,
 * maybe a remote one, sends: first with vmem_xml_read_trusted(), which
 * finds tags with memchr() and skips what the memory view does not need,
 * then, if that gives up, with the full libxml2-based reader. Checked:
 *
 * - no crash, leak, undefined behaviour, GLib critical or warning, for any
 *   bytes, in the fast reader or on its way back to the full one;
 * - the oracle: whenever the fast reader accepts a document, the full
 *   reader, given the same bytes, accepts it too and reads the same
 *   configuration: name, uuid, id, arch, max memory and its slots, memory,
 *   current memory, every NUMA cell (id, cpus, memory), and every memory
 *   device, equal by vmem_memory_device_equal() and written as the same
 *   XML by vmem_memory_device_to_xml();
 * - the one exception: a document that is not well-formed XML, which
 *   libvirt cannot have written, may be read by the fast reader where the
 *   full reader refuses it. The fast reader does not look inside what it
 *   skips, by design. A document that libxml2 parses but the full reader
 *   refuses (a bad size, an unknown model) is no exception: it must be
 *   refused by both. With VMEM_FUZZ_STRICT set in the environment, there
 *   is no exception, to find what the fast reader lets through;
 * - when the fast reader gives up, _vmem_domain_config_new_from_libvirt_xml()
 *   answers as vmem_domain_config_new_from_xml(), error included.
 *
 * The input is passed as libvirt's callers pass what virDomainGetXMLDesc()
 * returns: a NUL-terminated string and its strlen().
 *
 * Seeds: the domains of the libvirt corpus, and each of them as a running
 * domain's XML (with an id).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz-common.h"
#include "vmem-domain-config-private.h"
#include "vmem-xml-private.h"

static gboolean
accept_node (gpointer      user_data,
             guint         rule,
             VmemXmlNode  *node,
             GError      **error)
{
  return TRUE;
}

/* Whether the full reader's own parsing, without the memory view's
 * reading of the nodes, accepts @xml: well-formed, no DOCTYPE, no entity,
 * not too deep, a <domain> root. */
static gboolean
full_reader_parses (const char *xml,
                    gsize       length)
{
  static const VmemXmlRule rules[] = {
    { -1, "domain", VMEM_XML_RULE_DESCEND },
  };

  return vmem_xml_read (xml, length, rules, G_N_ELEMENTS (rules), accept_node, NULL, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static int strict = -1;
  g_autofree char *xml = NULL;
  g_autoptr(VmemDomainConfig) fast = NULL;
  g_autoptr(VmemDomainConfig) full = NULL;
  g_autoptr(VmemDomainConfig) either = NULL;
  g_autoptr(GError) full_error = NULL;
  g_autoptr(GError) either_error = NULL;
  gsize length;

  fuzz_init ();
  if (strict < 0)
    strict = g_getenv ("VMEM_FUZZ_STRICT") != NULL;

  xml = fuzz_strndup (data, size);
  length = strlen (xml);

  fast = _vmem_domain_config_new_from_libvirt_xml_only (xml, length);
  full = vmem_domain_config_new_from_xml (xml, &full_error);
  if (full == NULL)
    fuzz_check_error ("vmem_domain_config_new_from_xml()", full_error);

  if (fast != NULL && full != NULL)
    fuzz_check_configs_equal (fast, full);
  else if (fast != NULL && full_reader_parses (xml, length))
    fuzz_fail ("the fast reader read a well-formed document the full reader refuses: %s",
               full_error->message);
  else if (fast != NULL && strict)
    fuzz_fail ("the fast reader read a document the full reader refuses (%s); "
               "VMEM_FUZZ_STRICT is set", full_error->message);

  /* Only the fast reader's refusals reach the full reader. */
  if (fast != NULL)
    return 0;

  either = _vmem_domain_config_new_from_libvirt_xml (xml, length, &either_error);
  if ((either == NULL) != (full == NULL))
    fuzz_fail ("after the fast reader gave up, the answer is not the full reader's");
  if (either != NULL)
    fuzz_check_configs_equal (either, full);
  else if (either_error->domain != full_error->domain ||
           either_error->code != full_error->code ||
           strcmp (either_error->message, full_error->message) != 0)
    fuzz_fail ("after the fast reader gave up, the error '%s' is not the full reader's '%s'",
               either_error->message, full_error->message);

  return 0;
}
