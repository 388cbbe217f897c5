"""Call analysis: compliance rules, call stage, promise to pay, checklist of required elements."""
