// Every word of every email, in English and Russian, keyed by a stable id. Templates only arrange
// these; translators edit this one file. Placeholders: {storeName}, {duration} (already in the
// reader's language, from describeDuration), {time}.
import type { Catalog } from '../../shared/i18n.ts';

export const emailMessages: Catalog = {
  // Shared by several templates.
  'email.common.code_validity': {
    en: 'The code is valid for {duration}.',
    ru: 'Код действует {duration}.',
  },
  'email.common.code_secret': {
    en: 'Never share this code with anyone. {storeName} will never ask you for it.',
    ru: 'Никому не сообщайте этот код. Сотрудники {storeName} никогда его не спрашивают.',
  },
  'email.common.signature': {
    en: '— The {storeName} team',
    ru: '— Команда {storeName}',
  },
  'email.common.automated': {
    en: 'This is an automated message, please do not reply to it.',
    ru: 'Это письмо отправлено автоматически, отвечать на него не нужно.',
  },
  'email.common.link_fallback': {
    en: 'If a button does not work, copy its link into your browser:',
    ru: 'Если кнопка не работает, скопируйте ссылку в браузер:',
  },

  'email.registration_code.subject': {
    en: 'Confirm your email',
    ru: 'Подтвердите адрес электронной почты',
  },
  'email.registration_code.heading': {
    en: 'Confirm your email',
    ru: 'Подтвердите адрес электронной почты',
  },
  'email.registration_code.intro': {
    en: 'Enter this code to confirm your email address and finish creating your {storeName} account:',
    ru: 'Введите этот код, чтобы подтвердить адрес электронной почты и завершить регистрацию в {storeName}:',
  },
  'email.registration_code.ignore': {
    en: "If you didn't create an account, ignore this email.",
    ru: 'Если вы не создавали аккаунт, просто проигнорируйте это письмо.',
  },

  'email.registration_attempt_existing.subject': {
    en: 'Someone tried to create an account with your address',
    ru: 'Кто-то пытался создать аккаунт с вашим адресом',
  },
  'email.registration_attempt_existing.heading': {
    en: 'Someone tried to create an account with your address',
    ru: 'Кто-то пытался создать аккаунт с вашим адресом',
  },
  'email.registration_attempt_existing.intro': {
    en: 'Someone just tried to create a new {storeName} account with this email address. You already have an account with it, so no new account was created.',
    ru: 'Только что кто-то пытался создать новый аккаунт в {storeName} с этим адресом электронной почты. У вас уже есть аккаунт с этим адресом, поэтому новый создан не был.',
  },
  'email.registration_attempt_existing.if_you': {
    en: "If it was you, just sign in. If you don't remember your password, you can reset it.",
    ru: 'Если это были вы, просто войдите в аккаунт. Если не помните пароль, его можно восстановить.',
  },
  'email.registration_attempt_existing.sign_in': {
    en: 'Sign in',
    ru: 'Войти',
  },
  'email.registration_attempt_existing.reset': {
    en: 'Reset password',
    ru: 'Восстановить пароль',
  },
  'email.registration_attempt_existing.if_not': {
    en: "If it wasn't you, there is nothing to do — your account is safe.",
    ru: 'Если это были не вы, ничего делать не нужно — ваш аккаунт в безопасности.',
  },

  'email.recovery_code.subject': {
    en: 'Your password reset code',
    ru: 'Код для сброса пароля',
  },
  'email.recovery_code.heading': {
    en: 'Reset your password',
    ru: 'Сброс пароля',
  },
  'email.recovery_code.intro': {
    en: 'We received a request to reset the password of your {storeName} account. Enter this code to continue:',
    ru: 'Мы получили запрос на сброс пароля от вашего аккаунта в {storeName}. Введите этот код, чтобы продолжить:',
  },
  'email.recovery_code.ignore': {
    en: "If you didn't ask for this, ignore this email — your password is unchanged.",
    ru: 'Если вы не запрашивали сброс, проигнорируйте это письмо — ваш пароль не изменился.',
  },

  'email.password_changed.subject': {
    en: 'Your password was changed',
    ru: 'Ваш пароль изменён',
  },
  'email.password_changed.heading': {
    en: 'Your password was changed',
    ru: 'Ваш пароль изменён',
  },
  'email.password_changed.intro': {
    en: 'The password of your {storeName} account was changed on {time}.',
    ru: 'Пароль от вашего аккаунта в {storeName} был изменён {time}.',
  },
  'email.password_changed.if_you': {
    en: 'If it was you, no action is needed.',
    ru: 'Если это были вы, ничего делать не нужно.',
  },
  'email.password_changed.if_not': {
    en: "If it wasn't you, secure your account right away: set a new password and sign out of all devices.",
    ru: 'Если это были не вы, немедленно защитите аккаунт: задайте новый пароль и выйдите на всех устройствах.',
  },
  'email.password_changed.secure': {
    en: 'Secure my account',
    ru: 'Защитить аккаунт',
  },

  'email.new_sign_in.subject': {
    en: 'New sign-in from {device} near {place}',
    ru: 'Новый вход: {device}, около {place}',
  },
  'email.new_sign_in.heading': {
    en: 'New sign-in with the app’s QR code',
    ru: 'Новый вход по QR-коду из приложения',
  },
  'email.new_sign_in.intro': {
    en: 'Your {storeName} account was signed in on {device} near {place} on {time}, confirmed in the app.',
    ru: 'В ваш аккаунт {storeName} выполнен вход: {device}, около {place}, {time}. Вход подтверждён в приложении.',
  },
  'email.new_sign_in.if_you': {
    en: 'If it was you, no action is needed.',
    ru: 'Если это были вы, ничего делать не нужно.',
  },
  'email.new_sign_in.if_not': {
    en: "If it wasn't you, end that session under Security and change your password.",
    ru: 'Если это были не вы, завершите этот сеанс в разделе «Безопасность» и смените пароль.',
  },
  'email.new_sign_in.review': {
    en: 'Review my devices',
    ru: 'Проверить устройства',
  },

  'email.security_changed.phone_added': { en: 'A phone number was added to your account', ru: 'К вашему аккаунту добавлен номер телефона' },
  'email.security_changed.phone_changed': { en: 'The phone number of your account was changed', ru: 'Номер телефона вашего аккаунта изменён' },
  'email.security_changed.phone_removed': { en: 'The phone number was removed from your account', ru: 'Номер телефона удалён из вашего аккаунта' },
  'email.security_changed.authenticator_added': { en: 'An authenticator app was added to your account', ru: 'К вашему аккаунту подключено приложение-аутентификатор' },
  'email.security_changed.authenticator_removed': { en: 'The authenticator app was removed from your account', ru: 'Приложение-аутентификатор отключено от вашего аккаунта' },
  'email.security_changed.backup_codes_regenerated': { en: 'New backup codes were made for your account', ru: 'Для вашего аккаунта созданы новые резервные коды' },
  'email.security_changed.two_step_off': { en: 'Two-step sign-in was turned off for your account', ru: 'Двухэтапный вход в ваш аккаунт отключён' },
  'email.security_changed.intro': {
    en: 'This change was made to your {storeName} account on {time}, under My account → Security.',
    ru: 'Это изменение сделано в вашем аккаунте {storeName} {time}, в разделе «Мой аккаунт» → «Безопасность».',
  },
  'email.security_changed.phone_detail': { en: 'The number: {phone}', ru: 'Номер: {phone}' },
  'email.security_changed.if_you': {
    en: 'If it was you, no action is needed.',
    ru: 'Если это были вы, ничего делать не нужно.',
  },
  'email.security_changed.if_not': {
    en: "If it wasn't you, someone may be signed in to your account: secure it right away — set a new password and sign out of all devices.",
    ru: 'Если это были не вы, кто-то может иметь доступ к вашему аккаунту: немедленно защитите его — задайте новый пароль и выйдите на всех устройствах.',
  },
  'email.security_changed.secure': {
    en: 'Secure my account',
    ru: 'Защитить аккаунт',
  },
};
