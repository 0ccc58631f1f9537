/* vmem-xml.c: the XML reader and writer shared by the classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vmem-xml-private.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "vmem-error.h"
#include "vmem-private.h"

/* A bump allocator for the short-lived nodes of one captured subtree. */

#define ARENA_BLOCK_SIZE 4096

typedef struct
{
  GSList *blocks;   /* the first is the one being filled */
  char   *next;
  gsize   left;
} Arena;

static gpointer
arena_alloc (Arena *arena,
             gsize  size)
{
  gpointer p;

  size = (size + 7) & ~(gsize) 7;
  if (size > arena->left)
    {
      gsize block = MAX (size, ARENA_BLOCK_SIZE);

      arena->blocks = g_slist_prepend (arena->blocks, g_malloc (block));
      arena->next = arena->blocks->data;
      arena->left = block;
    }

  p = arena->next;
  arena->next += size;
  arena->left -= size;
  return p;
}

static char *
arena_strndup (Arena      *arena,
               const char *s,
               gsize       len)
{
  char *copy = arena_alloc (arena, len + 1);

  memcpy (copy, s, len);
  copy[len] = '\0';
  return copy;
}

static void
arena_reset (Arena *arena)
{
  /* Keep one block for the next subtree. */
  if (arena->blocks != NULL)
    {
      g_slist_free_full (arena->blocks->next, g_free);
      arena->blocks->next = NULL;
      arena->next = arena->blocks->data;
      arena->left = ARENA_BLOCK_SIZE;
    }
}

static void
arena_clear (Arena *arena)
{
  g_slist_free_full (arena->blocks, g_free);
  memset (arena, 0, sizeof *arena);
}

/* Node lookups: each marks what it finds as understood. */

VmemXmlNode *
vmem_xml_node_child (VmemXmlNode *node,
                     const char  *name)
{
  for (VmemXmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (!child->used && strcmp (child->name, name) == 0)
        {
          child->used = TRUE;
          return child;
        }
    }

  return NULL;
}

const char *
vmem_xml_node_attr (VmemXmlNode *node,
                    const char  *name)
{
  for (guint i = 0; i < node->n_attrs; i++)
    {
      if (strcmp (node->attrs[i].name, name) == 0)
        {
          node->attrs[i].used = TRUE;
          return node->attrs[i].value;
        }
    }

  return NULL;
}

const char *
vmem_xml_node_text (VmemXmlNode *node)
{
  /* Stripped in place: the node is the reader's, and short-lived. */
  return node->text != NULL ? g_strstrip (node->text) : "";
}

gboolean
vmem_xml_parse_uint (const char  *what,
                     const char  *text,
                     guint        base,
                     guint64      max,
                     guint64     *out,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *digits = text;
  guint64 value;

  /* Base 0 reads as libvirt's strtoul-based parsers do: 0x for hex,
   * a leading 0 for octal, decimal otherwise. */
  if (base == 0 || base == 16)
    {
      if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        {
          digits += 2;
          base = 16;
        }
      else if (base == 0)
        base = (digits[0] == '0' && digits[1] != '\0') ? 8 : 10;
    }

  if (!g_ascii_string_to_unsigned (digits, base, 0, max, &value, &local_error))
    {
      gboolean too_large = g_error_matches (local_error, G_NUMBER_PARSER_ERROR,
                                            G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS);

      g_set_error (error, VMEM_ERROR,
                   too_large ? VMEM_ERROR_OUT_OF_RANGE : VMEM_ERROR_INVALID_SIZE,
                   "Invalid %s '%s': expected an integer from 0 to %" G_GUINT64_FORMAT,
                   what, text, max);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
vmem_xml_node_get_size (VmemXmlNode  *node,
                        guint64      *out_bytes,
                        GError      **error)
{
  const char *unit = vmem_xml_node_attr (node, "unit");

  if (!_vmem_size_from_strings (vmem_xml_node_text (node),
                                unit, "KiB", out_bytes, error))
    {
      g_prefix_error (error, "<%s>: ", node->name);
      return FALSE;
    }

  return TRUE;
}

gboolean
vmem_xml_child_size (VmemXmlNode  *parent,
                     const char   *name,
                     guint64      *out_bytes,
                     GError      **error)
{
  VmemXmlNode *child = vmem_xml_node_child (parent, name);

  if (child == NULL)
    {
      *out_bytes = 0;
      return TRUE;
    }

  if (!vmem_xml_node_get_size (child, out_bytes, error))
    {
      g_prefix_error (error, "<%s>", parent->name);
      return FALSE;
    }

  return TRUE;
}

gboolean
vmem_xml_child_text (VmemXmlNode  *parent,
                     const char   *name,
                     char        **out_text)
{
  VmemXmlNode *child = vmem_xml_node_child (parent, name);

  g_clear_pointer (out_text, g_free);
  if (child == NULL)
    return FALSE;

  *out_text = g_strdup (vmem_xml_node_text (child));
  return TRUE;
}

/* The reader. */

#define MAX_RULE_DEPTH 16

/* libvirt's domain XML is a dozen levels deep; anything far deeper is not
 * a domain, and is refused before it costs anything. */
#define MAX_DEPTH 256

/* The walk of the rules over the elements, which both readers share: they
 * differ only in how they find the elements in the bytes. Elements that a
 * DESCEND rule names reach the caller's function as they start; a CAPTURE
 * rule's element is built as a subtree and reaches it when it ends;
 * elements no rule names are skipped with all they hold. */
typedef struct
{
  const VmemXmlRule *rules;
  guint              n_rules;
  VmemXmlNodeFunc    func;
  gpointer           user_data;

  guint              depth;
  guint              skip_depth;       /* of the skipped element, or 0 */
  int                rule_stack[MAX_RULE_DEPTH];
  VmemXmlNode       *capture;          /* the open element of a capture */
  guint              capture_rule;
  Arena              arena;
} Walk;

typedef enum
{
  WALK_SKIP,          /* nothing to build */
  WALK_NODE,          /* build the element's node for walk_take() */
  WALK_UNKNOWN_ROOT,  /* the document's root is not the first rule's */
} WalkStep;

/* An element @name starts (%NULL for a name no rule can have, such as a
 * prefixed one). The caller has checked the depth against MAX_DEPTH. */
static WalkStep
walk_enter (Walk       *w,
            const char *name,
            gsize       name_len,
            int        *out_rule)
{
  int parent;

  *out_rule = -1;
  w->depth++;
  if (w->skip_depth != 0)
    return WALK_SKIP;

  if (w->capture != NULL)
    return WALK_NODE;

  parent = w->depth == 1 ? -1 : w->rule_stack[w->depth - 2];
  for (guint r = 0; name != NULL && r < w->n_rules; r++)
    {
      if (w->rules[r].parent == parent &&
          w->rules[r].name[0] == name[0] &&
          strncmp (w->rules[r].name, name, name_len) == 0 &&
          w->rules[r].name[name_len] == '\0')
        {
          *out_rule = r;
          return WALK_NODE;
        }
    }

  if (w->depth == 1)
    return WALK_UNKNOWN_ROOT;

  w->skip_depth = w->depth;
  return WALK_SKIP;
}

/* The node of the element walk_enter() asked for, under @rule. */
static gboolean
walk_take (Walk         *w,
           VmemXmlNode  *node,
           int           rule,
           GError      **error)
{
  gboolean ok;

  if (w->capture != NULL)
    {
      node->parent = w->capture;
      if (w->capture->last_child != NULL)
        w->capture->last_child->next = node;
      else
        w->capture->children = node;
      w->capture->last_child = node;
      w->capture = node;
      return TRUE;
    }

  if (w->rules[rule].action == VMEM_XML_RULE_CAPTURE)
    {
      w->capture = node;
      w->capture_rule = rule;
      return TRUE;
    }

  g_assert (w->depth <= MAX_RULE_DEPTH);
  w->rule_stack[w->depth - 1] = rule;

  ok = w->func (w->user_data, rule, node, error);
  arena_reset (&w->arena);
  return ok;
}

/* The element last entered ends. */
static gboolean
walk_leave (Walk    *w,
            GError **error)
{
  gboolean ok = TRUE;

  if (w->skip_depth != 0)
    {
      if (w->depth == w->skip_depth)
        w->skip_depth = 0;
    }
  else if (w->capture != NULL)
    {
      VmemXmlNode *node = w->capture;

      w->capture = node->parent;
      if (node->parent == NULL)
        {
          ok = w->func (w->user_data, w->capture_rule, node, error);
          arena_reset (&w->arena);
        }
    }

  w->depth--;
  return ok;
}

/* The captured node that text at this point belongs to, with the leading
 * white space of its text (layout, not content) taken off @text; %NULL
 * when the text is not kept. */
G_ALWAYS_INLINE static inline VmemXmlNode *
walk_text_node (Walk        *w,
                const char **text,
                gsize       *len)
{
  VmemXmlNode *node = w->capture;

  if (node == NULL || w->skip_depth != 0)
    return NULL;

  if (node->text == NULL)
    {
      while (*len > 0 && g_ascii_isspace (**text))
        {
          (*text)++;
          (*len)--;
        }
      if (*len == 0)
        return NULL;
    }

  return node;
}

/* Appends @len bytes to the text of @node. */
static void
walk_append_text (Walk        *w,
                  VmemXmlNode *node,
                  const char  *text,
                  gsize        len)
{
  char *joined = arena_alloc (&w->arena, node->text_len + len + 1);

  if (node->text_len > 0)
    memcpy (joined, node->text, node->text_len);
  memcpy (joined + node->text_len, text, len);
  node->text_len += len;
  joined[node->text_len] = '\0';
  node->text = joined;
}

typedef struct
{
  Walk               walk;
  xmlParserCtxtPtr   ctxt;
  GError            *error;
  char              *libxml_error;
} ReadState;

static void
read_fail (ReadState *st,
           GError    *error)
{
  if (st->error == NULL)
    st->error = error;
  else
    g_error_free (error);
  xmlStopParser (st->ctxt);
}

/* An attribute's value as libxml2 gives it, decoded into the arena.
 * Without XML_PARSE_NOENT, which is not for documents from elsewhere,
 * libxml2 hands each '&' of a value (written "&amp;" or "&#38;") over as
 * "&#38;", for a tree builder to decode: every '&' in the value starts
 * one. */
static char *
read_attr_value (ReadState  *st,
                 const char *value,
                 gsize       len)
{
  char *copy = arena_strndup (&st->walk.arena, value, len);
  char *out;

  if (memchr (copy, '&', len) == NULL)
    return copy;

  out = copy;
  for (const char *p = copy; *p != '\0'; )
    {
      if (strncmp (p, "&#38;", 5) == 0)
        {
          *out++ = '&';
          p += 5;
        }
      else
        *out++ = *p++;
    }
  *out = '\0';
  return copy;
}

static VmemXmlNode *
read_new_node (ReadState      *st,
               const xmlChar  *localname,
               const xmlChar  *prefix,
               int             nb_namespaces,
               const xmlChar **namespaces,
               int             nb_attributes,
               const xmlChar **attributes)
{
  VmemXmlNode *node = arena_alloc (&st->walk.arena, sizeof *node);
  guint n = 0;

  memset (node, 0, sizeof *node);

  /* Names live in the parser's dictionary for the whole parse. */
  if (prefix == NULL)
    node->name = (const char *) localname;
  else
    {
      gsize plen = strlen ((const char *) prefix);
      gsize llen = strlen ((const char *) localname);
      char *qname = arena_alloc (&st->walk.arena, plen + llen + 2);

      memcpy (qname, prefix, plen);
      qname[plen] = ':';
      memcpy (qname + plen + 1, localname, llen + 1);
      node->name = qname;
    }

  node->n_attrs = nb_namespaces + nb_attributes;
  if (node->n_attrs == 0)
    return node;

  node->attrs = arena_alloc (&st->walk.arena, node->n_attrs * sizeof (VmemXmlAttr));

  /* Namespace declarations are kept as the attributes they were written as. */
  for (int i = 0; i < nb_namespaces; i++, n++)
    {
      const char *ns_prefix = (const char *) namespaces[2 * i];
      const char *uri = (const char *) namespaces[2 * i + 1];
      char *name;

      if (ns_prefix != NULL)
        {
          gsize len = strlen (ns_prefix);

          name = arena_alloc (&st->walk.arena, len + 7);
          memcpy (name, "xmlns:", 6);
          memcpy (name + 6, ns_prefix, len + 1);
        }
      else
        name = (char *) "xmlns";

      node->attrs[n].name = name;
      node->attrs[n].value = read_attr_value (st, uri, strlen (uri));
      node->attrs[n].used = FALSE;
    }

  for (int i = 0; i < nb_attributes; i++, n++)
    {
      const xmlChar *attr_local = attributes[5 * i];
      const xmlChar *attr_prefix = attributes[5 * i + 1];
      const xmlChar *value = attributes[5 * i + 3];
      const xmlChar *end = attributes[5 * i + 4];

      if (attr_prefix == NULL)
        node->attrs[n].name = (const char *) attr_local;
      else
        {
          gsize plen = strlen ((const char *) attr_prefix);
          gsize llen = strlen ((const char *) attr_local);
          char *qname = arena_alloc (&st->walk.arena, plen + llen + 2);

          memcpy (qname, attr_prefix, plen);
          qname[plen] = ':';
          memcpy (qname + plen + 1, attr_local, llen + 1);
          node->attrs[n].name = qname;
        }
      node->attrs[n].value = read_attr_value (st, (const char *) value, end - value);
      node->attrs[n].used = FALSE;
    }

  return node;
}

static void
read_start_element (void           *ctx,
                    const xmlChar  *localname,
                    const xmlChar  *prefix,
                    const xmlChar  *uri,
                    int             nb_namespaces,
                    const xmlChar **namespaces,
                    int             nb_attributes,
                    int             nb_defaulted,
                    const xmlChar **attributes)
{
  ReadState *st = ctx;
  const char *name = (const char *) localname;
  GError *error = NULL;
  VmemXmlNode *node;
  int rule;

  if (st->error != NULL)
    return;

  if (st->walk.depth == MAX_DEPTH)
    {
      read_fail (st, g_error_new (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                                  "The document is nested more than %d elements deep",
                                  MAX_DEPTH));
      return;
    }

  /* No rule names a prefixed element. */
  switch (walk_enter (&st->walk, prefix == NULL ? name : NULL, strlen (name), &rule))
    {
    case WALK_SKIP:
      return;

    case WALK_UNKNOWN_ROOT:
      read_fail (st, g_error_new (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                                  "Expected a <%s> element, not <%s%s%s>",
                                  st->walk.rules[0].name,
                                  prefix != NULL ? (const char *) prefix : "",
                                  prefix != NULL ? ":" : "",
                                  name));
      return;

    case WALK_NODE:
      node = read_new_node (st, localname, prefix, nb_namespaces, namespaces,
                            nb_attributes, attributes);
      if (!walk_take (&st->walk, node, rule, &error))
        read_fail (st, error);
      return;
    }
}

static void
read_end_element (void          *ctx,
                  const xmlChar *localname,
                  const xmlChar *prefix,
                  const xmlChar *uri)
{
  ReadState *st = ctx;
  GError *error = NULL;

  if (st->error != NULL)
    return;

  if (!walk_leave (&st->walk, &error))
    read_fail (st, error);
}

static void
read_characters (void          *ctx,
                 const xmlChar *ch,
                 int            len)
{
  ReadState *st = ctx;
  const char *text = (const char *) ch;
  gsize n = len;
  VmemXmlNode *node;

  if (st->error != NULL)
    return;

  node = walk_text_node (&st->walk, &text, &n);
  if (node != NULL)
    walk_append_text (&st->walk, node, text, n);
}

static void
read_refuse_dtd (void          *ctx,
                 const xmlChar *name,
                 const xmlChar *external_id,
                 const xmlChar *system_id)
{
  ReadState *st = ctx;

  read_fail (st, g_error_new_literal (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                                      "Document type declarations are not allowed"));
}

static xmlEntityPtr
read_refuse_entity (void          *ctx,
                    const xmlChar *name)
{
  ReadState *st = ctx;

  read_fail (st, g_error_new (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                              "Entity references are not allowed (&%s;)", name));
  return NULL;
}

static void
read_structured_error (void        *ctx,
                       xmlErrorPtr  error)
{
  ReadState *st = ctx;

  if (st->libxml_error == NULL && error != NULL && error->level >= XML_ERR_ERROR)
    {
      st->libxml_error = g_strdup_printf ("line %d: %s", error->line,
                                          error->message != NULL ? error->message : "parse error");
      g_strchomp (st->libxml_error);
    }
}

static void
read_ignore_message (void       *ctx,
                     const char *msg,
                     ...)
{
}

static const xmlSAXHandler read_handler = {
  .initialized = XML_SAX2_MAGIC,
  .internalSubset = read_refuse_dtd,
  .externalSubset = read_refuse_dtd,
  .getEntity = read_refuse_entity,
  .getParameterEntity = read_refuse_entity,
  .startElementNs = read_start_element,
  .endElementNs = read_end_element,
  .characters = read_characters,
  .cdataBlock = read_characters,
  .warning = read_ignore_message,
  .error = read_ignore_message,
  .fatalError = read_ignore_message,
  .serror = read_structured_error,
};

gboolean
vmem_xml_read (const char        *xml,
               gssize             length,
               const VmemXmlRule *rules,
               guint              n_rules,
               VmemXmlNodeFunc    func,
               gpointer           user_data,
               GError           **error)
{
  static gsize initialized = 0;
  ReadState st = {
    .walk = {
      .rules = rules,
      .n_rules = n_rules,
      .func = func,
      .user_data = user_data,
    },
  };
  gboolean well_formed;

  g_return_val_if_fail (xml != NULL, FALSE);

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }

  if (length < 0)
    length = strlen (xml);

  if (length == 0)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                           "The XML document is empty");
      return FALSE;
    }

  if (length > G_MAXINT)
    {
      g_set_error_literal (error, VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                           "The XML document is too large");
      return FALSE;
    }

  /* The pull parser: unlike the push parser, it keeps libxml2's own depth
   * limit. */
  st.ctxt = xmlCreateMemoryParserCtxt (xml, (int) length);
  if (st.ctxt == NULL)
    g_error ("%s: out of memory", G_STRFUNC);

  xmlFree (st.ctxt->sax);
  st.ctxt->sax = xmlMalloc (sizeof (xmlSAXHandler));
  if (st.ctxt->sax == NULL)
    g_error ("%s: out of memory", G_STRFUNC);
  memcpy (st.ctxt->sax, &read_handler, sizeof (xmlSAXHandler));
  st.ctxt->userData = &st;

  /* No network, no entity substitution, no DTD: the handler refuses a
   * DOCTYPE before anything in it is read. */
  xmlCtxtUseOptions (st.ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);

  xmlParseDocument (st.ctxt);
  well_formed = st.ctxt->wellFormed;

  if (st.error == NULL && !well_formed)
    st.error = g_error_new (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                            "Malformed XML: %s",
                            st.libxml_error != NULL ? st.libxml_error : "parse error");
  else if (st.error == NULL && st.walk.depth != 0)
    st.error = g_error_new_literal (VMEM_ERROR, VMEM_ERROR_INVALID_XML,
                                    "Malformed XML: the document ends inside an element");

  xmlFreeParserCtxt (st.ctxt);
  arena_clear (&st.walk.arena);
  g_free (st.libxml_error);

  if (st.error != NULL)
    {
      g_propagate_error (error, st.error);
      return FALSE;
    }

  return TRUE;
}

/* The reader of libvirt's own output.
 *
 * XML that libvirt wrote (virDomainGetXMLDesc()) is well-formed, UTF-8,
 * without DOCTYPE or entities beyond the five predefined ones: libvirt
 * builds it with its escaping buffer and checks it with libxml2 when it
 * is defined. For that XML, tokenising every byte with libxml2 costs more
 * than libvirt took to write it, while the memory view needs a tenth of
 * the document. This reader finds tag boundaries with memchr(), skips
 * what no rule asks for without looking inside, and builds the same
 * VmemXmlNode trees as vmem_xml_read() for the captured parts.
 *
 * It accepts only the plain subset libvirt writes. On anything else
 * (comments, CDATA, processing instructions, a DOCTYPE, character
 * references, namespaces or attribute white space in the parts it reads,
 * nesting that does not match, a callback's error) it gives up and
 * returns FALSE, and the caller reads the document again, from a fresh
 * object, with vmem_xml_read(), whose answer is the authoritative one:
 * the result is never different, only slower. */

#define FAST_MAX_ATTRS 32

typedef struct
{
  const char *name;
  gsize       name_len;
  const char *value;
  gsize       value_len;
} FastAttr;

typedef struct
{
  Walk               walk;
  const char        *p;
  const char        *end;
  /* The open elements' names, to match their end tags. */
  const char        *names[MAX_DEPTH + 1];
  gsize              name_lens[MAX_DEPTH + 1];
} FastState;

static inline gboolean
fast_is_space (char c)
{
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Decodes @len bytes of text or attribute value into the arena; FALSE
 * for what libxml2 would read differently than a plain copy and the five
 * predefined entities. */
static gboolean
fast_decode (FastState   *st,
             const char  *s,
             gsize        len,
             gboolean     attribute,
             char       **out,
             gsize       *out_len)
{
  char *copy = arena_alloc (&st->walk.arena, len + 1);
  gboolean ascii = TRUE;
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];

      /* Most bytes: printable ASCII but for '&' and '<'. */
      if (G_LIKELY (c >= 0x20 && c < 0x7f && c != '&' && c != '<'))
        {
          copy[n++] = c;
          continue;
        }

      if ((guchar) c >= 0x80)
        {
          ascii = FALSE;
          copy[n++] = c;
        }
      else if (c == '&')
        {
          static const struct { const char *name; gsize len; char c; } entities[] = {
            { "lt;", 3, '<' }, { "gt;", 3, '>' }, { "amp;", 4, '&' },
            { "quot;", 5, '"' }, { "apos;", 5, '\'' },
          };
          guint e;

          for (e = 0; e < G_N_ELEMENTS (entities); e++)
            {
              if (len - i - 1 >= entities[e].len &&
                  memcmp (s + i + 1, entities[e].name, entities[e].len) == 0)
                break;
            }
          if (e == G_N_ELEMENTS (entities))
            return FALSE;
          copy[n++] = entities[e].c;
          i += entities[e].len;
        }
      else if (c == '\r' || c == '<' || (attribute && (c == '\n' || c == '\t')) ||
               ((guchar) c < 0x20 && c != '\n' && c != '\t'))
        return FALSE;
      else
        copy[n++] = c;
    }

  copy[n] = '\0';
  if (!ascii && !g_utf8_validate (copy, n, NULL))
    return FALSE;
  *out = copy;
  *out_len = n;
  return TRUE;
}

static VmemXmlNode *
fast_new_node (FastState      *st,
               const char     *name,
               gsize           name_len,
               const FastAttr *attrs,
               guint           n_attrs)
{
  VmemXmlNode *node = arena_alloc (&st->walk.arena, sizeof *node);

  memset (node, 0, sizeof *node);
  if (memchr (name, ':', name_len) != NULL)
    return NULL;
  node->name = arena_strndup (&st->walk.arena, name, name_len);
  node->n_attrs = n_attrs;
  if (n_attrs == 0)
    return node;

  node->attrs = arena_alloc (&st->walk.arena, n_attrs * sizeof (VmemXmlAttr));
  for (guint i = 0; i < n_attrs; i++)
    {
      char *value;
      gsize len;

      if (memchr (attrs[i].name, ':', attrs[i].name_len) != NULL ||
          (attrs[i].name_len == 5 && memcmp (attrs[i].name, "xmlns", 5) == 0))
        return NULL;
      for (guint j = 0; j < i; j++)
        {
          if (attrs[j].name_len == attrs[i].name_len &&
              memcmp (attrs[j].name, attrs[i].name, attrs[i].name_len) == 0)
            return NULL;
        }
      if (!fast_decode (st, attrs[i].value, attrs[i].value_len, TRUE, &value, &len))
        return NULL;
      node->attrs[i].name = arena_strndup (&st->walk.arena, attrs[i].name, attrs[i].name_len);
      node->attrs[i].value = value;
      node->attrs[i].used = FALSE;
    }

  return node;
}

static gboolean
fast_text (FastState  *st,
           const char *s,
           gsize       len)
{
  VmemXmlNode *node;
  char *decoded;
  gsize n;

  /* Nothing but white space before and after the root. */
  if (st->walk.depth == 0)
    {
      for (gsize i = 0; i < len; i++)
        if (!fast_is_space (s[i]))
          return FALSE;
      return TRUE;
    }

  node = walk_text_node (&st->walk, &s, &len);
  if (node == NULL)
    return TRUE;

  if (!fast_decode (st, s, len, FALSE, &decoded, &n))
    return FALSE;
  walk_append_text (&st->walk, node, decoded, n);
  return TRUE;
}

/* A callback's error is vmem_xml_read()'s to report. */
static gboolean
fast_take (FastState   *st,
           VmemXmlNode *node,
           int          rule)
{
  GError *error = NULL;
  gboolean ok;

  if (node == NULL)
    return FALSE;
  ok = walk_take (&st->walk, node, rule, &error);
  if (!ok)
    g_clear_error (&error);
  return ok;
}

static gboolean
fast_end (FastState  *st,
          const char *name,
          gsize       name_len)
{
  GError *error = NULL;
  gboolean ok;

  if (st->walk.depth == 0 ||
      st->name_lens[st->walk.depth] != name_len ||
      memcmp (st->names[st->walk.depth], name, name_len) != 0)
    return FALSE;

  ok = walk_leave (&st->walk, &error);
  if (!ok)
    g_clear_error (&error);
  return ok;
}

/* The bytes that end a name. */
static const guint8 fast_name_end[256] = {
  [' '] = 1, ['\n'] = 1, ['\t'] = 1, ['\r'] = 1, ['>'] = 1, ['/'] = 1,
  ['='] = 1, ['<'] = 1, ['"'] = 1, ['\''] = 1,
};

static gsize
fast_name_len (const char *p,
               const char *end)
{
  const char *q = p;

  while (q < end && !fast_name_end[(guchar) *q])
    q++;
  return q - p;
}

/* Past the '>' of a start tag whose attributes nobody reads; NULL if it
 * does not end. */
static const char *
fast_skip_tag (const char *p,
               const char *end,
               gboolean   *out_empty)
{
  while (p < end)
    {
      char c = *p;

      if (c == '>')
        {
          *out_empty = p[-1] == '/';
          return p + 1;
        }
      if (c == '"' || c == '\'' || c == '<')
        {
          const char *q;

          if (c == '<')
            return NULL;
          q = memchr (p + 1, c, end - p - 1);
          if (q == NULL)
            return NULL;
          p = q + 1;
        }
      else
        p++;
    }

  return NULL;
}

static gboolean
fast_read (FastState *st)
{
  const char *p = st->p, *end = st->end;
  gboolean seen_root = FALSE;

  while (p < end)
    {
      const char *lt = memchr (p, '<', end - p);

      if (lt == NULL)
        lt = end;
      if (lt > p && !fast_text (st, p, lt - p))
        return FALSE;
      if (lt == end)
        break;
      p = lt + 1;
      if (p == end)
        return FALSE;

      if (*p == '/')
        {
          gsize len;

          p++;
          len = fast_name_len (p, end);
          if (len == 0)
            return FALSE;
          if (!fast_end (st, p, len))
            return FALSE;
          p += len;
          while (p < end && fast_is_space (*p))
            p++;
          if (p == end || *p != '>')
            return FALSE;
          p++;
        }
      else if (*p == '?' || *p == '!')
        {
          /* Only an XML declaration of UTF-8 at the very start. */
          const char *close;

          if (lt != st->p || end - p < 5 || memcmp (p, "?xml ", 5) != 0)
            return FALSE;
          close = g_strstr_len (p, end - p, "?>");
          if (close == NULL || g_strstr_len (p, close - p, "encoding") != NULL)
            return FALSE;
          p = close + 2;
        }
      else
        {
          FastAttr attrs[FAST_MAX_ATTRS];
          guint n_attrs = 0;
          const char *name = p;
          gsize name_len = fast_name_len (p, end);
          gboolean empty = FALSE;
          WalkStep step;
          int rule;

          if (name_len == 0 || (seen_root && st->walk.depth == 0) ||
              st->walk.depth == MAX_DEPTH)
            return FALSE;
          seen_root = TRUE;
          p += name_len;

          step = walk_enter (&st->walk, name, name_len, &rule);
          st->names[st->walk.depth] = name;
          st->name_lens[st->walk.depth] = name_len;
          /* The wrong root is vmem_xml_read()'s to report. */
          if (step == WALK_UNKNOWN_ROOT)
            return FALSE;

          /* Inside a skipped element, or an element no rule asks for:
           * only its end matters. */
          if (step == WALK_SKIP)
            {
              p = fast_skip_tag (p, end, &empty);
              if (p == NULL)
                return FALSE;
              if (empty && !fast_end (st, name, name_len))
                return FALSE;
              continue;
            }

          for (;;)
            {
              const char *q;
              char quote;

              if (p < end && !fast_is_space (*p) && *p != '>' && *p != '/')
                return FALSE;
              while (p < end && fast_is_space (*p))
                p++;
              if (p == end)
                return FALSE;
              if (*p == '>')
                {
                  p++;
                  break;
                }
              if (*p == '/')
                {
                  if (end - p < 2 || p[1] != '>')
                    return FALSE;
                  p += 2;
                  empty = TRUE;
                  break;
                }
              if (n_attrs == FAST_MAX_ATTRS)
                return FALSE;
              attrs[n_attrs].name = p;
              attrs[n_attrs].name_len = fast_name_len (p, end);
              if (attrs[n_attrs].name_len == 0)
                return FALSE;
              p += attrs[n_attrs].name_len;
              if (p == end || *p != '=')
                return FALSE;
              p++;
              if (p == end || (*p != '\'' && *p != '"'))
                return FALSE;
              quote = *p++;
              q = memchr (p, quote, end - p);
              if (q == NULL)
                return FALSE;
              attrs[n_attrs].value = p;
              attrs[n_attrs].value_len = q - p;
              n_attrs++;
              p = q + 1;
            }

          if (!fast_take (st, fast_new_node (st, name, name_len, attrs, n_attrs), rule))
            return FALSE;
          if (empty && !fast_end (st, name, name_len))
            return FALSE;
        }
    }

  return seen_root && st->walk.depth == 0;
}

gboolean
vmem_xml_read_trusted (const char        *xml,
                       gssize             length,
                       const VmemXmlRule *rules,
                       guint              n_rules,
                       VmemXmlNodeFunc    func,
                       gpointer           user_data)
{
  FastState *st;
  gboolean ok;

  g_return_val_if_fail (xml != NULL, FALSE);

  if (length < 0)
    length = strlen (xml);

  st = g_new0 (FastState, 1);
  st->p = xml;
  st->end = xml + length;
  st->walk.rules = rules;
  st->walk.n_rules = n_rules;
  st->walk.func = func;
  st->walk.user_data = user_data;

  ok = fast_read (st);

  arena_clear (&st->walk.arena);
  g_free (st);
  return ok;
}

/* Extras. */

static void
extra_clear (gpointer data)
{
  VmemXmlExtra *extra = data;

  g_free (extra->name);
  g_free (extra->value);
}

/* Appends @text escaped as g_markup_escape_text() does, and also the
 * characters that a reader would not give back as they were written: a
 * carriage return anywhere, read as a line end ("\n"), and a tab or a
 * newline in an attribute's value, read as a space. */
static void
append_escaped (GString    *out,
                const char *text,
                gboolean    attribute)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  const char *special = attribute ? "\r\n\t" : "\r";
  const char *p = escaped;

  for (;;)
    {
      gsize plain = strcspn (p, special);

      g_string_append_len (out, p, plain);
      p += plain;
      if (*p == '\0')
        break;
      g_string_append_printf (out, "&#%d;", *p);
      p++;
    }
}

static void
serialize_node (GString     *out,
                VmemXmlNode *node)
{
  g_string_append_c (out, '<');
  g_string_append (out, node->name);
  for (guint i = 0; i < node->n_attrs; i++)
    {
      g_string_append_printf (out, " %s='", node->attrs[i].name);
      append_escaped (out, node->attrs[i].value, TRUE);
      g_string_append_c (out, '\'');
    }

  if (node->children == NULL && node->text == NULL)
    {
      g_string_append (out, "/>");
      return;
    }

  g_string_append_c (out, '>');
  if (node->text != NULL)
    append_escaped (out, g_strchomp (node->text), FALSE);
  for (VmemXmlNode *child = node->children; child != NULL; child = child->next)
    serialize_node (out, child);
  g_string_append_printf (out, "</%s>", node->name);
}

static void
append_extra (GArray       **extras,
              VmemXmlExtra  *extra)
{
  if (*extras == NULL)
    {
      *extras = g_array_new (FALSE, FALSE, sizeof (VmemXmlExtra));
      g_array_set_clear_func (*extras, extra_clear);
    }
  g_array_append_val (*extras, *extra);
}

/* @path is the node's path, relative to the collected node; it is
 * interned only for what is kept, as most nodes keep nothing. */
static void
collect (GArray      **extras,
         VmemXmlNode  *node,
         GString      *path)
{
  gsize len = path->len;

  for (guint i = 0; i < node->n_attrs; i++)
    {
      VmemXmlExtra extra = { NULL, VMEM_XML_EXTRA_ATTRIBUTE, NULL, NULL };

      if (node->attrs[i].used)
        continue;

      extra.path = g_intern_string (path->str);
      extra.name = g_strdup (node->attrs[i].name);
      extra.value = g_strdup (node->attrs[i].value);
      append_extra (extras, &extra);
    }

  for (VmemXmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (child->used)
        {
          if (len > 0)
            g_string_append_c (path, '/');
          g_string_append (path, child->name);
          collect (extras, child, path);
          g_string_truncate (path, len);
        }
      else
        {
          VmemXmlExtra extra = { NULL, VMEM_XML_EXTRA_ELEMENT, NULL, NULL };
          GString *out = g_string_new (NULL);

          serialize_node (out, child);
          extra.path = g_intern_string (path->str);
          extra.value = g_string_free (out, FALSE);
          append_extra (extras, &extra);
        }
    }
}

GArray *
vmem_xml_extras_collect (VmemXmlNode *node)
{
  GArray *extras = NULL;
  GString *path = g_string_sized_new (64);

  collect (&extras, node, path);
  g_string_free (path, TRUE);
  return extras;
}

GArray *
vmem_xml_extras_copy (GArray *extras)
{
  GArray *copy;

  if (extras == NULL)
    return NULL;

  copy = g_array_sized_new (FALSE, FALSE, sizeof (VmemXmlExtra), extras->len);
  g_array_set_clear_func (copy, extra_clear);
  for (guint i = 0; i < extras->len; i++)
    {
      const VmemXmlExtra *extra = &g_array_index (extras, VmemXmlExtra, i);
      VmemXmlExtra dup = { extra->path, extra->kind, g_strdup (extra->name), g_strdup (extra->value) };

      g_array_append_val (copy, dup);
    }

  return copy;
}

/* Whether @extra is of the same place as @other: an attribute or an
 * element, at the same path. */
static inline gboolean
extra_same_place (const VmemXmlExtra *extra,
                  const VmemXmlExtra *other)
{
  return extra->kind == other->kind && strcmp (extra->path, other->path) == 0;
}

/* The same extras at each place, in the same order there. Their order
 * across places is not compared: the writer puts each place's extras
 * where they belong whatever the order of the array, so a document read
 * back from what was written has them in another order than the one read
 * (an unknown element before <address> is written after it). */
gboolean
vmem_xml_extras_equal (GArray *a,
                       GArray *b)
{
  guint len_a = a != NULL ? a->len : 0;
  guint len_b = b != NULL ? b->len : 0;

  if (len_a != len_b)
    return FALSE;

  for (guint i = 0; i < len_a; i++)
    {
      const VmemXmlExtra *x = &g_array_index (a, VmemXmlExtra, i);
      const VmemXmlExtra *y = NULL;
      guint rank = 0;

      /* The rank-th extra of x's place in @b, for x the rank-th in @a;
       * the lengths being equal, that pairs them all. */
      for (guint j = 0; j < i; j++)
        if (extra_same_place (&g_array_index (a, VmemXmlExtra, j), x))
          rank++;
      for (guint j = 0; j < len_b && y == NULL; j++)
        {
          const VmemXmlExtra *candidate = &g_array_index (b, VmemXmlExtra, j);

          if (extra_same_place (candidate, x) && rank-- == 0)
            y = candidate;
        }

      if (y == NULL ||
          g_strcmp0 (x->name, y->name) != 0 ||
          strcmp (x->value, y->value) != 0)
        return FALSE;
    }

  return TRUE;
}

/* Whether the element at @path, which the model writes only when it has
 * a value, must be written anyway to keep the extras: when some are under
 * it, or when an unknown element of the same name, a second <source> say,
 * is kept beside it. Left out, it would be that one that a reader of what
 * was written would take for it. */
gboolean
vmem_xml_extras_has_under (GArray     *extras,
                           const char *path)
{
  gsize len = strlen (path);
  const char *slash = strrchr (path, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  gsize parent_len = slash != NULL ? (gsize) (slash - path) : 0;
  gsize name_len = strlen (name);

  if (extras == NULL)
    return FALSE;

  for (guint i = 0; i < extras->len; i++)
    {
      const VmemXmlExtra *extra = &g_array_index (extras, VmemXmlExtra, i);
      const char *p = extra->path;

      if (strncmp (p, path, len) == 0 && (p[len] == '\0' || p[len] == '/'))
        return TRUE;

      /* The value of an element extra is the element, serialised. */
      if (extra->kind == VMEM_XML_EXTRA_ELEMENT &&
          strlen (p) == parent_len && strncmp (p, path, parent_len) == 0 &&
          extra->value[0] == '<' &&
          strncmp (extra->value + 1, name, name_len) == 0 &&
          (extra->value[name_len + 1] == ' ' || extra->value[name_len + 1] == '/' ||
           extra->value[name_len + 1] == '>'))
        return TRUE;
    }

  return FALSE;
}

/* The writer. */

static void
write_indent (VmemXmlWriter *w)
{
  for (guint i = 0; i < w->indent; i++)
    g_string_append (w->out, "  ");
}

static void
write_attr (VmemXmlWriter *w,
            const char    *name,
            const char    *value)
{
  g_string_append_printf (w->out, " %s='", name);
  append_escaped (w->out, value, TRUE);
  g_string_append_c (w->out, '\'');
}

static void
write_open_tag (VmemXmlWriter *w,
                const char    *path,
                const char    *name,
                va_list        args)
{
  const char *attr;

  write_indent (w);
  g_string_append_c (w->out, '<');
  g_string_append (w->out, name);

  while ((attr = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        write_attr (w, attr, value);
    }

  if (w->extras == NULL)
    return;

  for (guint i = 0; i < w->extras->len; i++)
    {
      const VmemXmlExtra *extra = &g_array_index (w->extras, VmemXmlExtra, i);

      if (extra->kind == VMEM_XML_EXTRA_ATTRIBUTE && strcmp (extra->path, path) == 0)
        write_attr (w, extra->name, extra->value);
    }
}

static gboolean
has_extra_elements (VmemXmlWriter *w,
                    const char    *path)
{
  if (w->extras == NULL)
    return FALSE;

  for (guint i = 0; i < w->extras->len; i++)
    {
      const VmemXmlExtra *extra = &g_array_index (w->extras, VmemXmlExtra, i);

      if (extra->kind == VMEM_XML_EXTRA_ELEMENT && strcmp (extra->path, path) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
write_extra_elements (VmemXmlWriter *w,
                      const char    *path)
{
  if (w->extras == NULL)
    return;

  for (guint i = 0; i < w->extras->len; i++)
    {
      const VmemXmlExtra *extra = &g_array_index (w->extras, VmemXmlExtra, i);

      if (extra->kind == VMEM_XML_EXTRA_ELEMENT && strcmp (extra->path, path) == 0)
        {
          write_indent (w);
          g_string_append (w->out, extra->value);
          g_string_append_c (w->out, '\n');
        }
    }
}

void
vmem_xml_writer_start (VmemXmlWriter *w,
                       const char    *path,
                       const char    *name,
                       ...)
{
  va_list args;

  va_start (args, name);
  write_open_tag (w, path, name, args);
  va_end (args);

  g_string_append (w->out, ">\n");
  w->indent++;
}

void
vmem_xml_writer_end (VmemXmlWriter *w,
                     const char    *path,
                     const char    *name)
{
  write_extra_elements (w, path);
  w->indent--;
  write_indent (w);
  g_string_append_printf (w->out, "</%s>\n", name);
}

void
vmem_xml_writer_element (VmemXmlWriter *w,
                         const char    *path,
                         const char    *name,
                         const char    *text,
                         ...)
{
  va_list args;

  va_start (args, text);
  write_open_tag (w, path, name, args);
  va_end (args);

  if (has_extra_elements (w, path))
    {
      g_string_append (w->out, ">\n");
      w->indent++;
      if (text != NULL)
        {
          write_indent (w);
          append_escaped (w->out, text, FALSE);
          g_string_append_c (w->out, '\n');
        }
      vmem_xml_writer_end (w, path, name);
    }
  else if (text != NULL)
    {
      g_string_append_c (w->out, '>');
      append_escaped (w->out, text, FALSE);
      g_string_append_printf (w->out, "</%s>\n", name);
    }
  else
    g_string_append (w->out, "/>\n");
}

void
vmem_xml_writer_size (VmemXmlWriter *w,
                      const char    *path,
                      const char    *name,
                      guint64        bytes)
{
  char number[32];

  /* libvirt writes sizes in KiB; a size that is not whole KiB is written
   * in bytes rather than rounded. */
  if (bytes % 1024 == 0)
    {
      g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT, bytes / 1024);
      vmem_xml_writer_element (w, path, name, number, "unit", "KiB", NULL);
    }
  else
    {
      g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT, bytes);
      vmem_xml_writer_element (w, path, name, number, "unit", "bytes", NULL);
    }
}
