# "My page".
me-title = My page
me-greeting = Hello, { $name }!
me-intro = Here you find what Vakt asks of you and what it knows about you.
me-sign-heading = Instructions to sign
me-sign-empty = No instructions are waiting for your signature.
me-courses-heading = Courses
me-courses-empty = You have no courses to take.
me-equipment-heading = Equipment
me-equipment-empty = No equipment is registered to you.
me-access-heading = Access
me-access-empty = No access grants are registered for you.
me-reports-heading = My reports
me-reports-empty = You have not reported anything.
