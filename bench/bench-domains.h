/* bench-domains.h: gen-domains.py's domains on libvirt's test:///default
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gen-domains.py writes a test-driver file, a <node> of <domain>s, to be
 * opened as test:///PATH. Every connection to such a URI parses the whole
 * file again (far longer than listing its domains takes) and has domains
 * of its own, blind to what another connection does. The programs that
 * open connections in the measured time, or that watch with one
 * connection what another does, define the file's domains on
 * test:///default instead: its connections share one driver within a
 * process, for as long as one of them is open, as connections to a
 * daemon share the daemon.
 */

#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "bench-util.h"

#define BENCH_DEFAULT_URI "test:///default"

/* The XML of each <domain> of the file at @path, in order. */
static inline GPtrArray *
bench_domain_xmls (const char *path)
{
  GPtrArray *xmls = g_ptr_array_new_with_free_func (g_free);
  xmlDocPtr doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
  xmlNodePtr root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;

  if (root == NULL)
    g_error ("Cannot read the domains of %s", path);

  for (xmlNodePtr node = root->children; node != NULL; node = node->next)
    {
      xmlBufferPtr buf;

      if (node->type != XML_ELEMENT_NODE || !xmlStrEqual (node->name, BAD_CAST "domain"))
        continue;
      buf = xmlBufferCreate ();
      if (xmlNodeDump (buf, doc, node, 0, 0) < 0)
        g_error ("Cannot write a domain of %s", path);
      g_ptr_array_add (xmls, g_strdup ((const char *) xmlBufferContent (buf)));
      xmlBufferFree (buf);
    }
  xmlFreeDoc (doc);

  if (xmls->len == 0)
    g_error ("No domain in %s", path);
  return xmls;
}

/* Opens test:///default with its own domain, 'test', removed. The driver
 * keeps the domains defined while the connection returned is open. */
static inline virConnectPtr
bench_default_driver (void)
{
  virConnectPtr vconn = virConnectOpen (BENCH_DEFAULT_URI);
  virDomainPtr dom;

  if (vconn == NULL)
    g_error ("Cannot open %s", BENCH_DEFAULT_URI);

  dom = virDomainLookupByName (vconn, "test");
  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
        g_error ("Cannot stop the test driver's domain: %s", virGetLastErrorMessage ());
      if (virDomainUndefine (dom) < 0)
        g_error ("Cannot undefine the test driver's domain: %s", virGetLastErrorMessage ());
      virDomainFree (dom);
    }

  return vconn;
}

/* Defines and starts domains @first to @last (excluded) of @xmls on
 * @vconn, as running guests. */
static inline void
bench_define_domains (virConnectPtr  vconn,
                      GPtrArray     *xmls,
                      guint          first,
                      guint          last)
{
  for (guint i = first; i < last && i < xmls->len; i++)
    {
      virDomainPtr dom = virDomainDefineXML (vconn, xmls->pdata[i]);

      if (dom == NULL || virDomainCreate (dom) < 0)
        g_error ("Cannot define and start domain %u: %s", i, virGetLastErrorMessage ());
      virDomainFree (dom);
    }
}
