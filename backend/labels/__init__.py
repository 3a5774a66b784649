"""Asset labels: QR codes, Code 128 barcodes, label templates and rendering to PNG, SVG, PDF and ZPL."""
