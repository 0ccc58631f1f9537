/* test-util.h: helpers shared by the C tests
 *
 * Reading what the library writes back with libxml2's own DOM and XPath,
 * independently of the library's reader, and finding the libvirt corpus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)

/* Parses @xml, which must be well-formed. No DTD, no entities, no network:
 * this is trusted test data. */
static inline xmlDoc *
test_xml_doc_new (const char *xml)
{
  xmlDoc *doc;

  g_assert_nonnull (xml);
  doc = xmlReadMemory (xml, (int) strlen (xml), "test.xml", "UTF-8",
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  if (doc == NULL)
    g_error ("not well-formed XML:\n%s", xml);

  return doc;
}

static inline xmlXPathObject *
test_xpath_eval (xmlDoc     *doc,
                 xmlNode    *context_node,
                 const char *expr)
{
  g_autoptr(xmlXPathContext) ctx = xmlXPathNewContext (doc);
  xmlXPathObject *obj;

  g_assert_nonnull (ctx);
  if (context_node != NULL)
    ctx->node = context_node;

  obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  if (obj == NULL)
    g_error ("bad XPath expression '%s'", expr);

  return obj;
}

/* The XPath string() of @expr, or %NULL when it selects nothing. */
static inline char *
test_xpath_string (xmlDoc     *doc,
                   const char *expr)
{
  g_autofree char *count_expr = g_strdup_printf ("count(%s)", expr);
  g_autofree char *string_expr = g_strdup_printf ("string(%s)", expr);
  g_autoptr(xmlXPathObject) count = test_xpath_eval (doc, NULL, count_expr);
  g_autoptr(xmlXPathObject) str = NULL;

  if (count->floatval < 1)
    return NULL;

  str = test_xpath_eval (doc, NULL, string_expr);
  return g_strdup ((const char *) str->stringval);
}

static inline guint
test_xpath_count (xmlDoc     *doc,
                  const char *expr)
{
  g_autofree char *count_expr = g_strdup_printf ("count(%s)", expr);
  g_autoptr(xmlXPathObject) count = test_xpath_eval (doc, NULL, count_expr);

  return (guint) count->floatval;
}

/* The nodes @expr selects, in document order; owned by the document. */
static inline GPtrArray *
test_xpath_nodes (xmlDoc     *doc,
                  const char *expr)
{
  g_autoptr(xmlXPathObject) obj = test_xpath_eval (doc, NULL, expr);
  GPtrArray *nodes = g_ptr_array_new ();

  if (obj->type == XPATH_NODESET && obj->nodesetval != NULL)
    for (int i = 0; i < obj->nodesetval->nodeNr; i++)
      g_ptr_array_add (nodes, obj->nodesetval->nodeTab[i]);

  return nodes;
}

/* Asserts that @xml, as the library wrote it, has @expected as the string
 * value of @expr (or has no match when @expected is %NULL). */
#define test_assert_xpath(xml, expr, expected) \
  G_STMT_START { \
    g_autoptr(xmlDoc) _doc = test_xml_doc_new (xml); \
    g_autofree char *_got = test_xpath_string (_doc, expr); \
    if (g_strcmp0 (_got, expected) != 0) \
      g_error ("%s: expected '%s', got '%s' in:\n%s", \
               expr, (const char *) (expected), _got, xml); \
  } G_STMT_END

/* The libvirt corpus, as the test setup passes it. */
static inline const char *
test_corpus_dir (void)
{
  const char *dir = g_getenv ("VMEM_TEST_CORPUS_DIR");

  if (dir == NULL || *dir == '\0')
    g_error ("VMEM_TEST_CORPUS_DIR is not set: run the tests with 'meson test'");

  return dir;
}

/* Reads a file of the corpus; the test fails when it is not there. */
static inline char *
test_corpus_read (const char *subdir,
                  const char *name)
{
  g_autofree char *path = g_build_filename (test_corpus_dir (), subdir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("cannot read the corpus file %s: %s", path, error->message);

  return contents;
}

/* Whether @message names @bytes: as bytes, as KiB (libvirt's unit), or as
 * the library's own formatting. */
static inline gboolean
test_message_names_size (const char *message,
                         guint64     bytes,
                         const char *formatted)
{
  g_autofree char *b = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  g_autofree char *kib = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes / 1024);

  if (strstr (message, b) != NULL)
    return TRUE;
  if (bytes % 1024 == 0 && strstr (message, kib) != NULL)
    return TRUE;
  if (formatted != NULL && strstr (message, formatted) != NULL)
    return TRUE;

  return FALSE;
}
