/* jc-evidence-viewer.h — one piece of evidence, decrypted and shown */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_EVIDENCE_VIEWER (jc_evidence_viewer_get_type ())
G_DECLARE_FINAL_TYPE (JcEvidenceViewer, jc_evidence_viewer, JC, EVIDENCE_VIEWER, AdwWindow)

/* A modal window over @parent that decrypts the evidence off the main
 * thread and shows it: a picture, a player for sound and video, or a
 * button that hands a document to the default application. */
JcEvidenceViewer *jc_evidence_viewer_new       (GtkWindow        *parent,
                                                JcVault          *vault,
                                                const char       *sha256_hex);
/* "loading", "image", "audio", "video", "document" or "error". */
const char       *jc_evidence_viewer_get_shown (JcEvidenceViewer *self);
/* The player's stream, once sound or video is loaded; else NULL. */
GtkMediaStream   *jc_evidence_viewer_get_media_stream (JcEvidenceViewer *self);

G_END_DECLS
