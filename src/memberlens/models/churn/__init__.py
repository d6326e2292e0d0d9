"""Churn: lapse by each member's own repurchase cycle, the churn-risk classifier with scores
in the warehouse (the churn_risk dimension), and Kaplan-Meier survival by tier."""
