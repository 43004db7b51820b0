/* A tree node as HIERSVR's or Jw_cad's, shared by the tests that nest
 * objects (test_hostile.c, peer_exchange.c): a byte saying whether a child
 * follows, then the child object. Counts live nodes, so a test sees leaks.
 * node_class is registered by each program (as "CNode"). */
#ifndef NODE_CLASS_H
#define NODE_CLASS_H

#include <stdlib.h>

#include <mfcsock.h>

typedef struct node { struct node *child; } node;
static mfcs_class *node_class;
static int nodes_live;

static void *MFCS_CALL node_create(void *ctx) { (void)ctx; nodes_live++; return calloc(1, sizeof(node)); }
/* Frees a whole chain, iteratively: a chain may be deeper than a stack. */
static void MFCS_CALL node_destroy(void *o, void *ctx)
{
    node *n = (node *)o;
    (void)ctx;
    while (n) {
        node *c = n->child;
        nodes_live--;
        free(n);
        n = c;
    }
}
static mfcs_err MFCS_CALL node_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    node *n = (node *)o;
    int loading = 0;
    uint8_t has;
    mfcs_err err;
    (void)ctx;
    mfcs_archive_is_loading(ar, &loading);
    if (!loading) {
        if ((err = mfcs_archive_write_u8(ar, n->child != NULL)) != MFCS_OK || !n->child)
            return err;
        return mfcs_archive_write_object(ar, node_class, n->child);
    }
    if ((err = mfcs_archive_read_u8(ar, &has)) != MFCS_OK || !has)
        return err;
    return mfcs_archive_read_object(ar, node_class, (void **)&n->child, NULL);
}
static const mfcs_class_ops node_ops = { node_create, node_serialize, node_destroy };

#endif
