"""The helpdesk side: requests, their messages and attachments, as integration makes them."""
