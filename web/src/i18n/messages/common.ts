// Texts shared by every page: the shell, states, buttons, sign-in.
export default {
  'zh-CN': {
    app: { name: '伯乐', full: '伯乐人力资源数字化平台', console: 'HR 管理台', selfService: '员工自助' },
    nav: {
      home: '首页', me: '我的', profile: '我的档案', timeline: '档案时间线', contracts: '我的合同', privacy: '隐私中心',
      org: '组织架构', orgChart: '组织架构图', units: '组织单元', positions: '岗位', quotas: '编制',
      people: '员工管理', directory: '员工花名册', import: '花名册导入', admin: '系统管理', accounts: '账号', roles: '角色与授权',
      sessions: '我的会话', audit: '安全审计', auditSearch: '审计日志', auditVerify: '审计链校验',
      switchToConsole: '进入管理台', switchToSelf: '员工自助', menu: '菜单',
    },
    actions: {
      save: '保存', cancel: '取消', confirm: '确定', submit: '提交', search: '查询', reset: '重置', refresh: '刷新',
      back: '返回', next: '下一步', prev: '上一步', close: '关闭', edit: '编辑', create: '新建', delete: '删除', export: '导出',
      import: '导入', download: '下载', view: '查看', logout: '退出登录', retry: '重试', more: '更多',
    },
    state: { loading: '加载中…', empty: '暂无数据', error: '加载失败', forbidden: '无权访问', notFound: '未找到' },
    login: {
      title: '登录', subtitle: '人力资源数字化平台', username: '用户名', password: '密码', submit: '登录',
      mfaTitle: '双因素认证', mfaHint: '请输入验证器应用中的 6 位动态码，或一个恢复码。', code: '动态码', verify: '验证',
      enrolTitle: '绑定验证器', enrolHint: '您的角色须使用双因素认证。请用验证器应用（如 Microsoft Authenticator、Google 身份验证器）扫描二维码，然后输入显示的 6 位动态码。',
      secret: '密钥（无法扫码时手动输入）', recoveryTitle: '请保存恢复码', recoveryHint: '每个恢复码只能使用一次，丢失验证器时可用它登录。请现在抄写或保存到安全的地方，本页关闭后将不再显示。',
      recoveryDone: '我已保存，继续', passwordChange: '您的密码须先修改', newPassword: '新密码', oldPassword: '当前密码',
      changePassword: '修改密码', language: '语言', required: '请填写此项',
    },
    misc: { asOf: '时点', today: '今天', all: '全部', yes: '是', no: '否', total: '共 {n} 条', language: '语言', user: '用户', masked: '已脱敏' },
  },
  'en-US': {
    app: { name: 'Bole', full: 'Bole HR Platform', console: 'HR console', selfService: 'Self-service' },
    nav: {
      home: 'Home', me: 'Me', profile: 'My profile', timeline: 'Archive timeline', contracts: 'My contracts', privacy: 'Privacy centre',
      org: 'Organisation', orgChart: 'Org chart', units: 'Org units', positions: 'Positions', quotas: 'Headcount quotas',
      people: 'People', directory: 'Employee directory', import: 'Roster import', admin: 'Administration', accounts: 'Accounts', roles: 'Roles & grants',
      sessions: 'My sessions', audit: 'Audit', auditSearch: 'Audit trail', auditVerify: 'Chain verification',
      switchToConsole: 'HR console', switchToSelf: 'Self-service', menu: 'Menu',
    },
    actions: {
      save: 'Save', cancel: 'Cancel', confirm: 'OK', submit: 'Submit', search: 'Search', reset: 'Reset', refresh: 'Refresh',
      back: 'Back', next: 'Next', prev: 'Previous', close: 'Close', edit: 'Edit', create: 'New', delete: 'Delete', export: 'Export',
      import: 'Import', download: 'Download', view: 'View', logout: 'Sign out', retry: 'Retry', more: 'More',
    },
    state: { loading: 'Loading…', empty: 'Nothing here yet', error: 'Could not load', forbidden: 'Not allowed', notFound: 'Not found' },
    login: {
      title: 'Sign in', subtitle: 'HR digital platform', username: 'Username', password: 'Password', submit: 'Sign in',
      mfaTitle: 'Two-factor authentication', mfaHint: 'Enter the 6-digit code from your authenticator app, or a recovery code.', code: 'Code', verify: 'Verify',
      enrolTitle: 'Set up an authenticator', enrolHint: 'Your role requires two-factor authentication. Scan the QR code with an authenticator app, then enter the 6-digit code it shows.',
      secret: 'Secret (type it in if you cannot scan)', recoveryTitle: 'Save your recovery codes', recoveryHint: 'Each recovery code works once, for when you lose the authenticator. Write them down or store them safely now; they will not be shown again.',
      recoveryDone: 'I have saved them', passwordChange: 'You must change your password first', newPassword: 'New password', oldPassword: 'Current password',
      changePassword: 'Change password', language: 'Language', required: 'Required',
    },
    misc: { asOf: 'As of', today: 'Today', all: 'All', yes: 'Yes', no: 'No', total: '{n} in total', language: 'Language', user: 'User', masked: 'Masked' },
  },
}
