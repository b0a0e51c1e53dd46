#ifndef NARRATIVE_WATCH_CLIBXML2_SHIM_H
#define NARRATIVE_WATCH_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU, and its headers would pull in the system ICU
   headers, which clash with the ICU copy inside Foundation. Only the converter
   struct (never touched from Swift) depends on it, so the ICU parts are left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#endif
