"""The network editor: a QGraphicsScene that mirrors the graph model, and its view."""
