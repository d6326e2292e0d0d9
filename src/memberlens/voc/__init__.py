"""Voice of the customer (DESIGN §13): text, sentiment, topics, NPS and service metrics."""
