"""Rehabilitation: centres (康复之家), family-doctor contracts, home sessions and referrals."""
