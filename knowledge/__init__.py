"""The bundled knowledge, installed with the package as `mutuals_knowledge` (see README,
"Knowledge"). Only the guidance pages, pathfinders.csv and synonyms.yaml here are knowledge."""
