"""The OpenSolar half of the graph: org, contacts, projects, systems, files, proposals, webhooks."""
