#pragma once
// The common set-up of the workbench's pictures (the system graph, the lineage): a white scene
// without scroll bars (dragging pans, the wheel zooms at the cursor; scroll bars would only
// flicker in and out at each fit), antialiased, kept centred when resized.
class QGraphicsView;

namespace mu2net::ui {

/// Gives `view` a new scene (parented to it) and the set-up above.
void setUpPictureView(QGraphicsView* view);

}  // namespace mu2net::ui
