/* vmem-xml-private.h: the XML reader and writer shared by the classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Domain XML is read with libxml2's SAX2 interface: no document tree is
 * built. The caller gives a small table of the element paths it cares
 * about; only those elements are kept, as short-lived trees of
 * #VmemXmlNode, and handed to the caller when they close. Everything else
 * streams past. DTDs, entities and network access are refused outright.
 *
 * A class that reads a node marks what it understood (the _child(),
 * _attr() and _text() lookups do that); what is left unmarked is kept as
 * #VmemXmlExtra records and written back by the writer, so round trips
 * keep elements and attributes the model does not know.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VmemXmlNode VmemXmlNode;
typedef struct _VmemXmlAttr VmemXmlAttr;

struct _VmemXmlAttr
{
  const char *name;
  const char *value;
  gboolean    used;
};

struct _VmemXmlNode
{
  const char  *name;
  VmemXmlNode *parent;
  VmemXmlNode *children;
  VmemXmlNode *last_child;
  VmemXmlNode *next;
  VmemXmlAttr *attrs;
  guint        n_attrs;
  gboolean     used;
  char        *text;
  gsize        text_len;
};

VmemXmlNode *vmem_xml_node_child    (VmemXmlNode  *node,
                                     const char   *name);
const char  *vmem_xml_node_attr     (VmemXmlNode  *node,
                                     const char   *name);
const char  *vmem_xml_node_text     (VmemXmlNode  *node);
gboolean     vmem_xml_node_get_size (VmemXmlNode  *node,
                                     guint64      *out_bytes,
                                     GError      **error);
gboolean     vmem_xml_child_size    (VmemXmlNode  *parent,
                                     const char   *name,
                                     guint64      *out_bytes,
                                     GError      **error);
gboolean     vmem_xml_child_text    (VmemXmlNode  *parent,
                                     const char   *name,
                                     char        **out_text);
gboolean     vmem_xml_parse_uint    (const char   *what,
                                     const char   *text,
                                     guint         base,
                                     guint64       max,
                                     guint64      *out,
                                     GError      **error);

/* The reader. */

typedef enum {
  VMEM_XML_RULE_DESCEND,   /* look inside; callback at the start tag, attributes only */
  VMEM_XML_RULE_CAPTURE,   /* keep the whole subtree; callback at the end tag */
} VmemXmlRuleAction;

typedef struct
{
  int               parent;   /* index of the parent rule, -1 for the root */
  const char       *name;
  VmemXmlRuleAction action;
} VmemXmlRule;

typedef gboolean (*VmemXmlNodeFunc) (gpointer      user_data,
                                     guint         rule,
                                     VmemXmlNode  *node,
                                     GError      **error);

gboolean vmem_xml_read (const char        *xml,
                        gssize             length,
                        const VmemXmlRule *rules,
                        guint              n_rules,
                        VmemXmlNodeFunc    func,
                        gpointer           user_data,
                        GError           **error);

/* For XML that libvirt wrote: the same reading, faster, or FALSE when the
 * document is outside the plain subset libvirt writes; the caller then
 * reads it again, into a fresh object, with vmem_xml_read(). */
gboolean vmem_xml_read_trusted (const char        *xml,
                                gssize             length,
                                const VmemXmlRule *rules,
                                guint              n_rules,
                                VmemXmlNodeFunc    func,
                                gpointer           user_data);

/* What a node's reader left unmarked, kept for writing back. */

typedef enum {
  VMEM_XML_EXTRA_ATTRIBUTE,
  VMEM_XML_EXTRA_ELEMENT,
} VmemXmlExtraKind;

typedef struct
{
  const char       *path;    /* interned, relative to the collected node; "" for the node itself */
  VmemXmlExtraKind  kind;
  char             *name;    /* the attribute's name; NULL for an element */
  char             *value;   /* the attribute's value, or the element serialised */
} VmemXmlExtra;

GArray  *vmem_xml_extras_collect    (VmemXmlNode  *node);
GArray  *vmem_xml_extras_copy       (GArray       *extras);
gboolean vmem_xml_extras_equal      (GArray       *a,
                                     GArray       *b);
gboolean vmem_xml_extras_has_under  (GArray       *extras,
                                     const char   *path);

/* The writer, in libvirt's own layout: two spaces a level, single quotes. */

typedef struct
{
  GString *out;
  guint    indent;
  GArray  *extras;
} VmemXmlWriter;

void vmem_xml_writer_start   (VmemXmlWriter *w,
                              const char    *path,
                              const char    *name,
                              ...) G_GNUC_NULL_TERMINATED;
void vmem_xml_writer_end     (VmemXmlWriter *w,
                              const char    *path,
                              const char    *name);
void vmem_xml_writer_element (VmemXmlWriter *w,
                              const char    *path,
                              const char    *name,
                              const char    *text,
                              ...) G_GNUC_NULL_TERMINATED;
void vmem_xml_writer_size    (VmemXmlWriter *w,
                              const char    *path,
                              const char    *name,
                              guint64        bytes);

G_END_DECLS
