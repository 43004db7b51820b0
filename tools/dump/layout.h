/*
 * layout.h: a parsed layout (tools/README.md, "Layouts"): for each class
 * and struct, and for the document and the message, the fields its
 * Serialize writes, in order, with the conditions and repetitions around
 * them.
 */
#ifndef DUMP_LAYOUT_H
#define DUMP_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

typedef enum ltype {
    T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_U64, T_I64, T_BOOL, T_F32, T_F64,
    T_COUNT, T_STRING_A, T_STRING_W, T_COMBSTR,
    T_POINT, T_SIZE, T_RECT, T_TIME, T_TIME64, T_TIMESPAN, T_TIMESPAN64,
    T_OLE_DATE, T_OLE_DATE_SPAN, T_CURRENCY, T_VARIANT, T_BYTES, T_STRUCT,
    T_OBJECT, T_OBJECTS, T_LIST, T_MAP
} ltype;

struct lstruct;
struct lclass;

/* A type as a field, an element or a key has it. */
typedef struct ltyperef {
    ltype t;
    size_t nbytes;            /* T_BYTES */
    struct lstruct *st;       /* T_STRUCT */
    char *st_name;            /* ... until resolved */
} ltyperef;

typedef enum { N_FIELD, N_IF, N_REPEAT } nkind;
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND };

typedef struct lnode {
    nkind kind;
    int line;                 /* in the layout file, for messages */
    struct lnode *next;
    /* N_FIELD */
    char *name;
    ltyperef type;            /* the field's; for T_LIST the element's is elem */
    ltyperef elem, key;       /* T_LIST: elem; T_MAP: key and elem (the value) */
    struct lclass *cls;       /* T_OBJECT, T_OBJECTS: the class required (NULL: any) */
    char *cls_name;
    int array;                /* 0: a single value; 1: array_n values; 2: as many as array_field */
    uint64_t array_n;
    char *array_field;
    char *size_field;         /* T_BYTES: its size is this field's value (bytes NAME FIELD) */
    /* N_IF (cond) and N_REPEAT (times) */
    int on_schema;            /* the condition is on the stored schema */
    char *ref;                /* ... or on this field; N_REPEAT: this field's count */
    int op;
    uint64_t value;           /* N_IF: compared with; N_REPEAT: the count when ref is NULL */
    int until;                /* N_REPEAT: "until ref op value", checked after each item */
    struct lnode *body;       /* N_IF: then; N_REPEAT: the repeated fields */
    struct lnode *orelse;     /* N_IF: else */
} lnode;

typedef struct lstruct {
    char *name;
    lnode *fields;
    int mark;                 /* the cycle check's: 1 being walked, 2 walked */
    struct lstruct *next;
} lstruct;

typedef struct lclass {
    char *name;
    unsigned schema;
    int versionable;
    lnode *fields;
    struct lclass *next;
    void *reg;                /* the registered mfcs_class, while a codec runs */
    unsigned stored_schema;   /* encoding a versionable class: the schema its objects were stored with */
    int has_stored_schema;
} lclass;

typedef struct layout {
    char *name;               /* the file's name, for the JSON */
    unsigned mfc;             /* MFCS_MFC_* */
    int unicode;              /* what "string" means: 1 string_w, 0 string_a */
    unsigned codepage;
    lclass *classes;
    lstruct *structs;
    lnode *document;
    lnode *message;           /* a protocol's message, either direction ... */
    lnode *request, *reply;   /* ... or client->server's and server->client's */
    int has_document, has_message, has_request, has_reply;
} layout;

/* Parses a layout; NULL with a message ("line N: ...") in err on error. */
layout *layout_parse(const char *text, const char *name, char *err, size_t errcap);
void layout_free(layout *L);
lclass *layout_class(const layout *L, const char *name);
/* The text of a type's name, for messages. */
const char *layout_type_name(ltype t);

#endif
